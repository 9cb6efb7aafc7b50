import type { AttemptReport, InspectReport, StepReport } from './inspect-report';
import { escapeHtml, formatMs, formatUsd, verdictColour } from './html-parts';

/** Bar colours by what happened, shared by the bars and the legend. */
export const TIMELINE_COLOURS: Readonly<Record<string, string>> = {
  completed: '#2e7d32',
  wait: '#1565c0',
  cap: '#ef6c00',
  stop: '#c62828',
  retry: '#f9a825',
  fail: '#6a1b9a',
  refused: '#9e9e9e',
  lost: '#212121',
  running: '#00838f',
  failed: '#d84315',
  unknown: '#757575',
};

const ROW = 44;
const LINE = 12;
/** Width of a character of the 10 px labels, to keep labels from running into each other. */
const CHAR_PX = 5.6;
const LEFT = 270;
const WIDTH = 1180;
const RIGHT = 30;
const AXIS = 46;

/** An attempt placed on the time axis: from the records, or inferred from history events. */
interface Placed {
  readonly attempt: AttemptReport;
  readonly start: number;
  readonly end: number;
  /** Drawn from the history's timing alone (no record of its own): dashed. */
  readonly inferred: boolean;
}

/**
 * One self-contained HTML page: an SVG timeline with a time axis (a row per step, a bar per attempt coloured by its
 * class, each labelled with class, reason and cost; the waits between attempts labelled with the observed and the
 * chosen delay; compensations below a rule), then a table per step with every attempt's fields, so nothing needs a
 * hover. Histories made without the toolkit are drawn from their events: the final attempt where it ran, earlier
 * ones dashed at the times they must have had. No scripts, no external assets: it opens anywhere and can be attached
 * to an incident ticket.
 */
export function renderHtml(report: InspectReport): string {
  const rows: Array<{ step: StepReport; compensation: boolean }> = [
    ...report.steps.map((step) => ({ step, compensation: false })),
    ...report.compensations.map((step) => ({ step, compensation: true })),
  ];
  const placed = new Map(rows.map(({ step }) => [step, place(step)]));
  const times = rows.flatMap(({ step }) => [
    Date.parse(step.scheduledAt),
    ...(step.closedAt ? [Date.parse(step.closedAt)] : []),
    ...placed.get(step)!.flatMap((p) => [p.start, p.end]),
  ]);
  const t0 = Math.min(Date.parse(report.startedAt), ...times);
  const t1 = Math.max(report.closedAt ? Date.parse(report.closedAt) : t0 + 1, ...times, t0 + 1);
  const span = t1 - t0;
  const x = (ms: number) => LEFT + ((ms - t0) / span) * (WIDTH - LEFT - RIGHT);
  // Labels under the bars go on as many lines as they need not to run into each other.
  const layouts = rows.map(({ step }) => layoutRow(step, placed.get(step)!, x, t1));
  const offsets: number[] = [];
  let cursor = AXIS;
  rows.forEach(({ compensation }, i) => {
    if (compensation && (i === 0 || !rows[i - 1]!.compensation)) cursor += 24;
    offsets.push(cursor);
    cursor += ROW + Math.max(0, layouts[i]!.lines - 1) * LINE;
  });
  const height = cursor + 10;

  const svg: string[] = [axis(t0, span, x, height)];
  rows.forEach(({ step }, i) => {
    const y = offsets[i]!;
    svg.push(
      `<text x="8" y="${y + 16}" class="label">${escapeHtml(clip(step.step, 34))}</text>`,
      `<text x="8" y="${y + 32}" class="verdict" fill="${verdictColour(step.verdict) ?? '#444'}">${escapeHtml(step.verdict)}${step.costUsd !== undefined ? ` <tspan class="muted">· ${formatUsd(step.costUsd)}</tspan>` : ''}</text>`,
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y + 13}" y2="${y + 13}" class="lane"/>`,
      `<line x1="${x(Date.parse(step.scheduledAt)).toFixed(1)}" x2="${x(Date.parse(step.scheduledAt)).toFixed(1)}" y1="${y + 2}" y2="${y + 24}" class="scheduled"/>`,
    );
    for (const p of placed.get(step)!) {
      const a = p.attempt;
      const start = x(p.start);
      const width = Math.max(4, x(p.end) - start);
      const unended = a.outcome === 'lost';
      const fill =
        a.failureType === 'BudgetExceeded' ? 'url(#refusedHatch)' : unended ? 'url(#lostHatch)' : colour(a);
      svg.push(
        `<rect class="attempt${p.inferred ? ' inferred' : ''}" data-step="${escapeHtml(step.step)}" data-attempt="${a.attempt}" ` +
          `x="${start.toFixed(1)}" y="${y + 4}" width="${width.toFixed(1)}" height="18" fill="${p.inferred ? 'none' : fill}"` +
          `${p.inferred || unended ? ` stroke="${colour(a)}"` : ''}><title>${escapeHtml(tooltip(step, a))}</title></rect>`,
      );
    }
    for (const label of layouts[i]!.labels) {
      svg.push(
        `<text x="${label.x.toFixed(1)}" y="${y + 35 + label.line * LINE}" class="${label.kind}">${escapeHtml(label.text)}</text>`,
      );
    }
  });
  if (report.compensations.length > 0) {
    const y = offsets[report.steps.length]! - 16;
    svg.push(
      `<line x1="8" x2="${WIDTH - RIGHT}" y1="${y}" y2="${y}" class="rule"/><text x="8" y="${y + 14}" class="section">compensations</text>`,
    );
  }
  const legend = Object.entries(TIMELINE_COLOURS)
    .map(([name, fill]) => `<span><i style="background:${fill}"></i>${name}</span>`)
    .concat([
      '<span><i class="hatch"></i>refused: budget spent</span>',
      '<span><i class="lost-hatch"></i>lost: no recorded end</span>',
      '<span><i class="dashed"></i>inferred from history</span>',
    ])
    .join(' ');
  const duration = report.closedAt
    ? formatMs(Date.parse(report.closedAt) - Date.parse(report.startedAt))
    : 'still running';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.workflowId)}: attempt timeline</title>
<style>
${PAGE_STYLE}
.label{font-size:12px;font-weight:600}.verdict{font-size:11px;font-style:italic}.muted{fill:#666;font-style:normal}
.bar-label{font-size:10px;fill:#222}.gap{font-size:10px;fill:#1565c0}
.lane{stroke:#eee}.scheduled{stroke:#999;stroke-dasharray:2 2}.rule{stroke:#999;stroke-dasharray:4 3}.section{font-size:11px;fill:#666}
.tick{stroke:#e3e3e3}.tick-label{font-size:10px;fill:#666;text-anchor:middle}.axis{stroke:#888}
rect.inferred{stroke-width:1.5;stroke-dasharray:3 2}
.legend span{margin-right:12px;white-space:nowrap}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
.legend i.hatch{background:repeating-linear-gradient(45deg,#9e9e9e 0 3px,#fff 3px 6px)}.legend i.dashed{border:1.5px dashed #757575;width:9px;height:9px}
.legend i.lost-hatch{background:repeating-linear-gradient(-45deg,#212121 0 2px,#fff 2px 6px)}
</style></head>
<body>
<h1>${escapeHtml(report.workflowType)} <small>${escapeHtml(report.workflowId)}</small></h1>
<p class="meta">run ${escapeHtml(report.runId)} · <b>${escapeHtml(report.status)}</b> · ${escapeHtml(report.startedAt)} → ${escapeHtml(report.closedAt ?? 'now')} (${escapeHtml(duration)})${report.costUsd !== undefined ? ` · cost <b>${formatUsd(report.costUsd)}</b>` : ''}${report.toolkit ? '' : ' · <b>no toolkit records</b>: the final attempt of each step is drawn where it ran, earlier ones (dashed) where the history says they must have been'}</p>
<p class="legend">${legend}</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">
<defs><pattern id="refusedHatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="#9e9e9e"/></pattern>
<pattern id="lostHatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(-45)"><rect width="6" height="6" fill="#fff"/><rect width="2" height="6" fill="#212121"/></pattern></defs>
${svg.join('\n')}
</svg>
${rows.map(({ step, compensation }) => stepTable(step, compensation)).join('\n')}
</body></html>
`;
}

/** Page styles shared with the fleet summary page. */
export const PAGE_STYLE = `body{font:14px system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 4px}h1 small{font-weight:normal;color:#555}h2{font-size:15px;margin:20px 0 6px}
.meta{color:#333}table{border-collapse:collapse;margin:4px 0 14px;font-size:12px}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}code{font-size:11px}`;

/** Positions of a step's attempts: recorded times, or for history-only steps, inferred from the events. */
function place(step: StepReport): Placed[] {
  const timed = step.attempts.filter((a) => a.startedAt !== undefined);
  const untimed = step.attempts.filter((a) => a.startedAt === undefined);
  const out: Placed[] = timed.map((a, i) => {
    const start = Date.parse(a.startedAt!);
    // A lost attempt has no recorded end: it ran at least until the next attempt started (or the step closed).
    const next = timed[i + 1]?.startedAt ?? step.closedAt;
    const end = a.finishedAt
      ? Date.parse(a.finishedAt)
      : a.outcome === 'lost' && next
        ? Math.max(start, Date.parse(next))
        : start;
    return { attempt: a, start, end, inferred: false };
  });
  if (untimed.length === 0) return out;
  // Without records, earlier attempts ran between the schedule and the final attempt's start: spread them evenly.
  const from = Date.parse(step.scheduledAt);
  const to = timed[0] ? Date.parse(timed[0].startedAt!) : step.closedAt ? Date.parse(step.closedAt) : from;
  const gap = (to - from) / Math.max(1, untimed.length);
  const inferred = untimed.map((a, i) => ({
    attempt: a,
    start: from + i * gap,
    end: from + i * gap,
    inferred: true,
  }));
  return [...inferred, ...out];
}

interface RowLabel {
  x: number;
  readonly text: string;
  readonly kind: 'bar-label' | 'gap';
  line: number;
}

/** The labels of one row (under each bar, and on each wait), spread over lines so that none overlaps another. */
function layoutRow(
  step: StepReport,
  bars: readonly Placed[],
  x: (ms: number) => number,
  t1: number,
): { labels: RowLabel[]; lines: number } {
  const labels: RowLabel[] = [];
  bars.forEach((p, n) => {
    labels.push({ x: x(p.start), text: barLabel(p.attempt, p.inferred), kind: 'bar-label', line: 0 });
    const a = p.attempt;
    if (bars[n + 1] && a.observedDelayMs !== undefined) {
      const chosen = a.policyDelayMs !== undefined ? ` / chose ${formatMs(a.policyDelayMs)}` : '';
      labels.push({
        x: x(p.end) + 2,
        text: `waited ${formatMs(a.observedDelayMs)}${chosen}`,
        kind: 'gap',
        line: 0,
      });
    }
  });
  if (step.nextAttemptAt) {
    const at = x(Math.min(Date.parse(step.nextAttemptAt), t1));
    labels.push({ x: at, text: `next attempt ${step.nextAttemptAt}`, kind: 'gap', line: 0 });
  }
  // A label that would run past the right edge ends at the edge instead.
  for (const label of labels) {
    label.x = Math.max(LEFT, Math.min(label.x, WIDTH - 4 - label.text.length * CHAR_PX));
  }
  const ends: number[] = [];
  for (const label of labels.sort((a, b) => a.x - b.x)) {
    let line = ends.findIndex((end) => end + 6 <= label.x);
    if (line < 0) line = ends.length;
    ends[line] = label.x + label.text.length * CHAR_PX;
    label.line = line;
  }
  return { labels, lines: Math.max(1, ends.length) };
}

function axis(t0: number, span: number, x: (ms: number) => number, height: number): string {
  const step = niceStep(span / 8);
  const parts = [
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${AXIS - 14}" y2="${AXIS - 14}" class="axis"/>`,
  ];
  for (let t = 0; t <= span + 1e-9; t += step) {
    const px = x(t0 + t).toFixed(1);
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${AXIS - 18}" y2="${height}" class="tick"/>`,
      `<text x="${px}" y="${AXIS - 22}" class="tick-label">+${escapeHtml(formatMs(t))}</text>`,
    );
  }
  parts.push(
    `<text x="8" y="${AXIS - 22}" class="tick-label" style="text-anchor:start">time from ${escapeHtml(new Date(t0).toISOString())}</text>`,
  );
  return parts.join('\n');
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function stepTable(step: StepReport, compensation: boolean): string {
  const head = `<h2>${compensation ? 'compensation ' : ''}${escapeHtml(step.step)} <small>${escapeHtml(step.activityType)}, activity ${escapeHtml(step.activityId)} · ${escapeHtml(step.outcome)} · <span style="color:${verdictColour(step.verdict) ?? '#444'}">${escapeHtml(step.verdict)}</span></small></h2>
<p>${escapeHtml(step.explanation)}${step.keyStable !== undefined ? ` · idempotency key <code>${escapeHtml(step.idempotencyKey ?? '-')}</code> ${step.keyStable ? 'stable on every attempt' : '<b>changed between attempts</b>'}` : ''}</p>`;
  const rows = step.attempts
    .map(
      (a) =>
        `<tr><td class="num">${a.attempt}</td><td>${time(a.startedAt, a.source === 'history' ? '(not in history)' : '-')}</td><td>${time(a.finishedAt, '-')}</td>` +
        `<td>${escapeHtml(a.outcome)}</td><td>${escapeHtml(a.kind ? a.kind.toUpperCase() : '-')}</td><td>${escapeHtml(a.reason ?? '-')}${a.failureType ? ` <small>(${escapeHtml(a.failureType)})</small>` : ''}</td>` +
        `<td class="num">${a.policyDelayMs !== undefined ? escapeHtml(formatMs(a.policyDelayMs)) : '-'}</td><td class="num">${a.observedDelayMs !== undefined ? escapeHtml(formatMs(a.observedDelayMs)) : '-'}</td>` +
        `<td>${time(a.nextNotBefore, '-')}</td><td><code>${escapeHtml(a.idempotencyKey ?? '-')}</code></td><td class="num">${a.costUsd !== undefined ? formatUsd(a.costUsd) : '-'}</td><td>${a.source}</td></tr>`,
    )
    .join('\n');
  return `${head}
<table><thead><tr><th>#</th><th>started (UTC)</th><th>finished</th><th>outcome</th><th>class</th><th>reason</th><th>delay chosen</th><th>delay observed</th><th>next not before</th><th>idempotency key</th><th>cost</th><th>from</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function colour(a: AttemptReport): string {
  if (
    a.outcome === 'completed' ||
    a.outcome === 'refused' ||
    a.outcome === 'lost' ||
    a.outcome === 'running'
  ) {
    return TIMELINE_COLOURS[a.outcome]!;
  }
  if (a.kind === undefined && a.outcome === 'failed') return TIMELINE_COLOURS.failed!;
  return TIMELINE_COLOURS[a.kind ?? 'unknown'] ?? TIMELINE_COLOURS.unknown!;
}

/** What a bar says under it: class and reason, or outcome; the cost when there was one. */
function barLabel(a: AttemptReport, inferred: boolean): string {
  const what =
    a.failureType === 'BudgetExceeded'
      ? 'REFUSED: budget spent'
      : a.outcome === 'refused'
        ? `REFUSED ${a.reason ?? ''}`
        : a.outcome === 'lost'
          ? 'lost (no recorded end)'
          : a.kind
            ? `${a.kind.toUpperCase()} ${a.reason ?? ''}`
            : a.outcome;
  return `#${a.attempt} ${what.trim()}${a.costUsd !== undefined ? ` ${formatUsd(a.costUsd)}` : ''}${inferred ? ' (inferred)' : ''}`;
}

function tooltip(step: StepReport, a: AttemptReport): string {
  return [
    `${step.step} attempt ${a.attempt}: ${a.outcome}`,
    a.kind && `${a.kind} ${a.reason ?? ''}`,
    a.failureType,
    a.startedAt,
  ]
    .filter(Boolean)
    .join('\n');
}

/** A time of day to the millisecond (the date is in the page's header); the full timestamp on hover. */
function time(iso: string | undefined, missing: string): string {
  if (iso === undefined) return escapeHtml(missing);
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeHtml(iso);
  return `<span title="${escapeHtml(iso)}">${new Date(ms).toISOString().slice(11, 23)}</span>`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
