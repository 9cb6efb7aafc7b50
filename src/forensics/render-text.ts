import type { AttemptReport, InspectReport, StepReport } from './inspect-report';

/** The report as a terminal reads it: per step, attempts with times, classes, delays, and the verdict. */
export function renderText(report: InspectReport): string {
  const lines = [
    `${report.workflowType} ${report.workflowId} (run ${report.runId}): ${report.status}`,
    `  started ${report.startedAt}${report.closedAt ? `, closed ${report.closedAt}` : ''}` +
      (report.costUsd !== undefined ? `; cost $${report.costUsd.toFixed(2)}` : '') +
      (report.toolkit ? '' : '; no toolkit attempt records: attempts inferred from timings'),
    '',
  ];
  const section = (title: string, steps: readonly StepReport[]) => {
    if (steps.length === 0) return;
    lines.push(title);
    for (const step of steps) {
      lines.push(
        `  ${step.step} (${step.activityType}, activity ${step.activityId}): ${step.outcome}, ${step.attempts.length} attempt(s)` +
          `${step.costUsd !== undefined ? `, $${step.costUsd.toFixed(2)}` : ''} -> ${step.verdict}`,
        `    ${step.explanation}`,
      );
      if (step.keyStable !== undefined)
        lines.push(
          `    idempotency key ${step.idempotencyKey ?? '-'}: ${step.keyStable ? 'stable' : 'CHANGED between attempts'}`,
        );
      if (step.nextAttemptAt) lines.push(`    next attempt at ${step.nextAttemptAt}`);
      for (const attempt of step.attempts) lines.push(`    ${attemptLine(attempt)}`);
    }
    lines.push('');
  };
  section('Steps', report.steps);
  section('Compensations', report.compensations);
  return lines.join('\n');
}

function attemptLine(a: AttemptReport): string {
  const parts = [`#${a.attempt} ${a.outcome}`];
  if (a.startedAt) parts.push(`${a.startedAt}${a.finishedAt ? ` .. ${a.finishedAt}` : ''}`);
  if (a.kind) parts.push(`${a.kind.toUpperCase()} ${a.reason ?? ''}`.trim());
  if (a.policyDelayMs !== undefined) parts.push(`policy delay ${a.policyDelayMs} ms`);
  if (a.observedDelayMs !== undefined) parts.push(`observed ${a.observedDelayMs} ms`);
  if (a.costUsd !== undefined) parts.push(`$${a.costUsd.toFixed(2)}`);
  return parts.join(' | ');
}
