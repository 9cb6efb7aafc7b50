import type { FleetReport } from './fleet-report';
import { escapeHtml, formatMs, formatUsd, VERDICT_COLOURS, verdictColour } from './html-parts';
import { PAGE_STYLE } from './render-html';

/** Healthy verdicts first, then the ones someone must look at. */
const VERDICT_ORDER = Object.keys(VERDICT_COLOURS);

const sortedVerdicts = (report: FleetReport) =>
  Object.entries(report.verdicts).sort(([a], [b]) => VERDICT_ORDER.indexOf(a) - VERDICT_ORDER.indexOf(b));

/** The fleet report as a terminal reads it. */
export function renderFleetText(report: FleetReport): string {
  const lines = [
    `${report.executions} execution(s) matching ${report.query || '(all)'} at ${report.generatedAt}`,
    `  ${Object.entries(report.byStatus)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ')}`,
    '',
    'Verdicts (steps, executions)',
    ...sortedVerdicts(report).map(
      ([verdict, n]) =>
        `  ${verdict.padEnd(24)} ${String(n.steps).padStart(5)} ${String(n.executions).padStart(5)}`,
    ),
    '',
    `Same action, same error, inside the backoff window: ${report.sameErrorInsideBackoff.length}`,
    ...report.sameErrorInsideBackoff.map(
      (r) =>
        `  ${r.workflowId} ${r.step}: ${r.error}; ${r.second} started ${formatMs(r.gapMs)} after ${r.first} ended` +
        (r.windowMs !== undefined
          ? ` (window ${formatMs(r.windowMs)})`
          : ' (no window: the workflow dispatched it again)'),
    ),
    '',
    `Cost above ${report.costFactor}x the median of its type: ${report.costOutliers.length}`,
    ...Object.entries(report.costMedians).map(
      ([type, m]) => `  median ${type}: ${formatUsd(m.medianUsd)} over ${m.executions} execution(s)`,
    ),
    ...report.costOutliers.map(
      (o) =>
        `  ${o.workflowId} (${o.workflowType}, ${o.status}): ${formatUsd(o.costUsd)} = ${o.ratio}x the median`,
    ),
    '',
    `Stalled (no heartbeat for ${formatMs(report.stallAfterMs)} or more): ${report.stalled.length}`,
    ...report.stalled.map(
      (s) =>
        `  ${s.workflowId} ${s.activityType ?? ''} activity ${s.activityId} attempt ${s.attempt}: no progress for ${formatMs(s.sinceMs)} (since ${s.lastProgressAt})`,
    ),
    '',
  ];
  return lines.join('\n');
}

/** One self-contained HTML summary page of the fleet report (no scripts, no external assets). */
export function renderFleetHtml(report: FleetReport): string {
  const total = Math.max(1, ...Object.values(report.verdicts).map((v) => v.executions));
  const verdictRows = sortedVerdicts(report)
    .map(
      ([verdict, n]) =>
        `<tr><td><span class="dot" style="background:${verdictColour(verdict) ?? '#777'}"></span>${escapeHtml(verdict)}</td>` +
        `<td class="num">${n.steps}</td><td class="num">${n.executions}</td>` +
        `<td><div class="bar" style="width:${Math.round((n.executions / total) * 300)}px;background:${verdictColour(verdict) ?? '#777'}"></div></td></tr>`,
    )
    .join('\n');
  const table = (head: string[], rows: string[][], empty: string) =>
    rows.length === 0
      ? `<p class="none">${escapeHtml(empty)}</p>`
      : `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`;
  const id = (workflowId: string) => `<code>${escapeHtml(workflowId)}</code>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>temporal-resilience fleet: ${escapeHtml(report.query || 'all executions')}</title>
<style>
${PAGE_STYLE}
.cards{display:flex;gap:12px;margin:12px 0}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:150px}
.card b{display:block;font-size:24px}.card.alert b{color:#c62828}
.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:6px}.bar{height:10px}
.none{color:#2e7d32}
</style></head>
<body>
<h1>Fleet forensics <small>${escapeHtml(report.query || '(all executions)')}</small></h1>
<p class="meta">${report.executions} execution(s) at ${escapeHtml(report.generatedAt)}: ${escapeHtml(
    Object.entries(report.byStatus)
      .map(([s, n]) => `${n} ${s}`)
      .join(', '),
  )}</p>
<div class="cards">
<div class="card${report.sameErrorInsideBackoff.length ? ' alert' : ''}"><b>${report.sameErrorInsideBackoff.length}</b>same error inside the backoff window</div>
<div class="card${report.costOutliers.length ? ' alert' : ''}"><b>${report.costOutliers.length}</b>cost above ${report.costFactor}x median</div>
<div class="card${report.stalled.length ? ' alert' : ''}"><b>${report.stalled.length}</b>stalled (no heartbeat ${escapeHtml(formatMs(report.stallAfterMs))})</div>
</div>
<h2>Verdicts</h2>
<table><thead><tr><th>verdict</th><th>steps</th><th>executions</th><th></th></tr></thead><tbody>
${verdictRows}
</tbody></table>
<h2>Same action, same error, inside the backoff window</h2>
${table(
  ['workflow', 'type', 'step', 'error', 'retry', 'gap', 'window chosen'],
  report.sameErrorInsideBackoff.map((r) => [
    id(r.workflowId),
    escapeHtml(r.workflowType),
    escapeHtml(r.step),
    escapeHtml(r.error),
    `${escapeHtml(r.first)} → ${escapeHtml(r.second)}`,
    escapeHtml(formatMs(r.gapMs)),
    r.windowMs !== undefined ? escapeHtml(formatMs(r.windowMs)) : 'none: the workflow dispatched it again',
  ]),
  'None: every retry waited its window.',
)}
<h2>Cost above ${report.costFactor}x the median of its workflow type</h2>
<p>${Object.entries(report.costMedians)
    .map(([t, m]) => `${escapeHtml(t)}: median ${formatUsd(m.medianUsd)} over ${m.executions}`)
    .join(' · ')}</p>
${table(
  ['workflow', 'type', 'status', 'cost', 'median', 'ratio'],
  report.costOutliers.map((o) => [
    id(o.workflowId),
    escapeHtml(o.workflowType),
    escapeHtml(o.status),
    formatUsd(o.costUsd),
    formatUsd(o.medianUsd),
    `<b>${o.ratio}x</b>`,
  ]),
  'None.',
)}
<h2>Stalled executions</h2>
${table(
  ['workflow', 'type', 'activity', 'attempt', 'last progress', 'for'],
  report.stalled.map((s) => [
    id(s.workflowId),
    escapeHtml(s.workflowType),
    `${escapeHtml(s.activityType ?? '')} ${escapeHtml(s.activityId)}`,
    String(s.attempt),
    escapeHtml(s.lastProgressAt),
    `<b>${escapeHtml(formatMs(s.sinceMs))}</b>`,
  ]),
  'None.',
)}
<p class="meta">One execution's attempts in detail: <code>temporal-resilience inspect &lt;workflowId&gt; --html FILE</code></p>
</body></html>
`;
}
