import type { AttemptReport, InspectReport, StepReport } from './inspect-report';

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
  unknown: '#757575',
};

const ROW = 34;
const LEFT = 220;
const WIDTH = 1000;

/**
 * One self-contained HTML page with an SVG timeline: a row per step, a bar per attempt (coloured by its class), the
 * waits between attempts as gaps labelled with the observed and the chosen delay, compensations below a rule.
 * No scripts, no external assets: it opens anywhere and can be attached to an incident ticket.
 */
export function renderHtml(report: InspectReport): string {
  const rows: Array<{ step: StepReport; compensation: boolean }> = [
    ...report.steps.map((step) => ({ step, compensation: false })),
    ...report.compensations.map((step) => ({ step, compensation: true })),
  ];
  const times = rows.flatMap(({ step }) => [
    Date.parse(step.scheduledAt),
    ...step.attempts.flatMap((a) =>
      [a.startedAt, a.finishedAt].filter((t): t is string => t !== undefined).map(Date.parse),
    ),
    ...(step.closedAt ? [Date.parse(step.closedAt)] : []),
  ]);
  const t0 = Math.min(Date.parse(report.startedAt), ...times);
  const t1 = Math.max(report.closedAt ? Date.parse(report.closedAt) : t0 + 1, ...times, t0 + 1);
  const x = (iso: string) => LEFT + ((Date.parse(iso) - t0) / (t1 - t0)) * (WIDTH - LEFT - 20);
  const separatorAt = report.steps.length;
  const height = 40 + rows.length * ROW + (report.compensations.length > 0 ? 20 : 0) + 30;

  const svg: string[] = [];
  rows.forEach(({ step, compensation }, i) => {
    const y = 30 + i * ROW + (compensation ? 20 : 0);
    svg.push(
      `<text x="8" y="${y + 15}" class="label">${escape(step.step)} <tspan class="verdict">${escape(step.verdict)}</tspan></text>`,
      `<line x1="${LEFT}" x2="${WIDTH - 20}" y1="${y + 11}" y2="${y + 11}" class="lane"/>`,
    );
    step.attempts.forEach((a, n) => {
      if (!a.startedAt) return;
      const start = x(a.startedAt);
      const end = a.finishedAt ? x(a.finishedAt) : start + 4;
      svg.push(
        `<rect class="attempt" data-step="${escape(step.step)}" data-attempt="${a.attempt}" x="${start.toFixed(1)}" y="${y + 2}" ` +
          `width="${Math.max(3, end - start).toFixed(1)}" height="18" fill="${colour(a)}"><title>${escape(tooltip(step, a))}</title></rect>`,
      );
      const next = step.attempts[n + 1];
      if (next?.startedAt && a.finishedAt && a.observedDelayMs !== undefined) {
        const mid = (end + x(next.startedAt)) / 2;
        const label = `${seconds(a.observedDelayMs)}${a.policyDelayMs !== undefined ? ` (policy ${seconds(a.policyDelayMs)})` : ''}`;
        svg.push(`<text x="${mid.toFixed(1)}" y="${y + 30}" class="gap">${escape(label)}</text>`);
      }
    });
  });
  if (report.compensations.length > 0) {
    const y = 30 + separatorAt * ROW + 8;
    svg.push(
      `<line x1="8" x2="${WIDTH - 20}" y1="${y}" y2="${y}" class="rule"/><text x="8" y="${y + 14}" class="section">compensations</text>`,
    );
  }
  const legend = Object.entries(TIMELINE_COLOURS)
    .map(([name, fill]) => `<span><i style="background:${fill}"></i>${name}</span>`)
    .join(' ');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(report.workflowId)}: attempt timeline</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
.label{font-size:12px}.verdict{fill:#555;font-style:italic}.gap{font-size:10px;fill:#444;text-anchor:middle}
.lane{stroke:#eee}.rule{stroke:#999;stroke-dasharray:4 3}.section{font-size:11px;fill:#666}
.legend span{margin-right:12px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
</style></head>
<body>
<h1>${escape(report.workflowType)} <small>${escape(report.workflowId)}</small></h1>
<p>run ${escape(report.runId)}, ${escape(report.status)}; ${report.startedAt} to ${report.closedAt ?? 'now'}${report.toolkit ? '' : '; no toolkit records: only final attempts are drawn'}</p>
<p class="legend">${legend}</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">
${svg.join('\n')}
</svg>
</body></html>
`;
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
  return TIMELINE_COLOURS[a.kind ?? 'unknown'] ?? TIMELINE_COLOURS.unknown!;
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

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
