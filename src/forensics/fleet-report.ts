import type { PendingActivity } from './analyze-history';
import type { InspectReport, StepReport, Verdict } from './inspect-report';

/** One execution as the fleet analysis reads it: its report and, while it runs, its pending activities. */
export interface FleetEntry {
  readonly report: InspectReport;
  readonly pending?: readonly PendingActivity[];
}

/** Options of {@link analyzeFleet}. */
export interface FleetOptions {
  /** The visibility query the executions were listed with (reported back as is). */
  readonly query: string;
  /** Now, as epoch ms: stalls are measured against it. */
  readonly nowMs: number;
  /** A running attempt with no heartbeat (or start) for this long is stalled. @default 300_000 (5 minutes) */
  readonly stallAfterMs?: number;
  /** An execution costing more than this many times the median of its workflow type is listed. @default 3 */
  readonly costFactor?: number;
  /** Without a recorded `next_not_before`, a retry sooner than this after the failure is inside the window. @default 100 */
  readonly immediateThresholdMs?: number;
}

/** A retry of the same action that met the same error before its backoff window was over. */
export interface SameErrorRetry {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly step: string;
  readonly activityType: string;
  /** The error both attempts met: class and reason, or failure type. */
  readonly error: string;
  /** The two attempts (attempt numbers; for a workflow re-dispatch, the two activity ids). */
  readonly first: string;
  readonly second: string;
  /** How long after the first ended the second started. */
  readonly gapMs: number;
  /** The window the policy chose (`next_not_before` minus the first's end), when recorded. */
  readonly windowMs?: number;
}

/** An execution costing more than `costFactor` times the median of its type. */
export interface CostOutlier {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly status: string;
  readonly costUsd: number;
  readonly medianUsd: number;
  readonly ratio: number;
}

/** A running attempt with no sign of progress for longer than `stallAfterMs`. */
export interface StalledExecution {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly activityId: string;
  readonly activityType?: string;
  readonly attempt: number;
  /** The last heartbeat, or the attempt's start when it never heartbeated. */
  readonly lastProgressAt: string;
  readonly sinceMs: number;
}

/** What `inspect --query` reports (`--json`). Versioned by `schemaVersion`, documented in docs/operations.md. */
export interface FleetReport {
  readonly schemaVersion: 1;
  readonly query: string;
  readonly generatedAt: string;
  readonly executions: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Per verdict: how many steps got it, in how many executions. */
  readonly verdicts: Readonly<Record<string, { readonly steps: number; readonly executions: number }>>;
  readonly sameErrorInsideBackoff: readonly SameErrorRetry[];
  /** Per workflow type: executions with a recorded cost and their median. */
  readonly costMedians: Readonly<Record<string, { readonly executions: number; readonly medianUsd: number }>>;
  readonly costOutliers: readonly CostOutlier[];
  readonly stalled: readonly StalledExecution[];
  readonly stallAfterMs: number;
  readonly costFactor: number;
  /** Every execution looked at, in brief. */
  readonly list: ReadonlyArray<{
    readonly workflowId: string;
    readonly runId: string;
    readonly workflowType: string;
    readonly status: string;
    readonly costUsd?: number;
    readonly verdicts: readonly Verdict[];
  }>;
}

const CLOCK_ALLOWANCE_MS = 20;

/**
 * Reads many executions' reports at once and answers the 2 a.m. questions across the fleet: which verdicts, which
 * retries met the same error again before their backoff was over, which executions cost more than 3x the median of
 * their type, which are stuck without a heartbeat.
 */
export function analyzeFleet(entries: readonly FleetEntry[], options: FleetOptions): FleetReport {
  const stallAfterMs = options.stallAfterMs ?? 300_000;
  const costFactor = options.costFactor ?? 3;
  const threshold = options.immediateThresholdMs ?? 100;
  const byStatus: Record<string, number> = {};
  const verdicts: Record<string, { steps: number; executions: number }> = {};
  const sameError: SameErrorRetry[] = [];
  const stalled: StalledExecution[] = [];

  for (const { report, pending } of entries) {
    byStatus[report.status] = (byStatus[report.status] ?? 0) + 1;
    const steps = [...report.steps, ...report.compensations];
    for (const verdict of new Set(steps.map((s) => s.verdict))) {
      const count = (verdicts[verdict] ??= { steps: 0, executions: 0 });
      count.executions++;
      count.steps += steps.filter((s) => s.verdict === verdict).length;
    }
    sameError.push(...sameErrorRetries(report, steps, threshold));
    if (report.status === 'running') {
      for (const p of pending ?? []) {
        if (p.state !== undefined && p.state !== 'started') continue;
        const last = p.lastHeartbeatTime ?? p.lastStartedTime;
        if (!last) continue;
        const sinceMs = options.nowMs - Date.parse(last);
        if (sinceMs < stallAfterMs) continue;
        stalled.push({
          workflowId: report.workflowId,
          runId: report.runId,
          workflowType: report.workflowType,
          activityId: p.activityId,
          ...activityTypeOf(report, p.activityId),
          attempt: p.attempt,
          lastProgressAt: last,
          sinceMs,
        });
      }
    }
  }

  const costs = new Map<string, number[]>();
  for (const { report } of entries) {
    if (report.costUsd === undefined) continue;
    costs.set(report.workflowType, [...(costs.get(report.workflowType) ?? []), report.costUsd]);
  }
  const costMedians: Record<string, { executions: number; medianUsd: number }> = {};
  for (const [type, values] of costs)
    costMedians[type] = { executions: values.length, medianUsd: median(values) };
  const costOutliers: CostOutlier[] = entries
    .filter(({ report }) => report.costUsd !== undefined)
    .map(({ report }) => ({ report, medianUsd: costMedians[report.workflowType]!.medianUsd }))
    .filter(({ report, medianUsd }) => medianUsd > 0 && report.costUsd! > costFactor * medianUsd)
    .map(({ report, medianUsd }) => ({
      workflowId: report.workflowId,
      runId: report.runId,
      workflowType: report.workflowType,
      status: report.status,
      costUsd: report.costUsd!,
      medianUsd,
      ratio: Math.round((report.costUsd! / medianUsd) * 100) / 100,
    }))
    .sort((a, b) => b.ratio - a.ratio);

  return {
    schemaVersion: 1,
    query: options.query,
    generatedAt: new Date(options.nowMs).toISOString(),
    executions: entries.length,
    byStatus,
    verdicts,
    sameErrorInsideBackoff: sameError,
    costMedians,
    costOutliers,
    stalled: stalled.sort((a, b) => b.sinceMs - a.sinceMs),
    stallAfterMs,
    costFactor,
    list: entries.map(({ report }) => ({
      workflowId: report.workflowId,
      runId: report.runId,
      workflowType: report.workflowType,
      status: report.status,
      ...(report.costUsd !== undefined ? { costUsd: report.costUsd } : {}),
      verdicts: [...new Set([...report.steps, ...report.compensations].map((s) => s.verdict))],
    })),
  };
}

/**
 * Retries of one action that met the same error before the window the policy chose was over: within a step (the
 * toolkit's records) and between steps (the workflow dispatching the same activity again right after it failed).
 */
function sameErrorRetries(
  report: InspectReport,
  steps: readonly StepReport[],
  threshold: number,
): SameErrorRetry[] {
  const out: SameErrorRetry[] = [];
  const where = { workflowId: report.workflowId, runId: report.runId, workflowType: report.workflowType };
  for (const step of steps) {
    step.attempts.forEach((a, i) => {
      const b = step.attempts[i + 1];
      if (!b?.startedAt || !a.finishedAt || a.outcome === 'completed') return;
      const error = errorOf(a.kind, a.reason, a.failureType);
      if (error === undefined || error !== errorOf(b.kind, b.reason, b.failureType)) return;
      const gapMs = Date.parse(b.startedAt) - Date.parse(a.finishedAt);
      const inside = a.nextNotBefore
        ? Date.parse(b.startedAt) < Date.parse(a.nextNotBefore) - CLOCK_ALLOWANCE_MS
        : gapMs < threshold;
      if (!inside) return;
      out.push({
        ...where,
        step: step.step,
        activityType: step.activityType,
        error,
        first: `attempt ${a.attempt}`,
        second: `attempt ${b.attempt}`,
        gapMs,
        ...(a.nextNotBefore ? { windowMs: Date.parse(a.nextNotBefore) - Date.parse(a.finishedAt) } : {}),
      });
    });
  }
  steps.forEach((step, i) => {
    const previous = steps
      .slice(0, i)
      .reverse()
      .find((p) => p.activityType === step.activityType);
    if (!previous?.closedAt || previous.outcome === 'completed' || step.outcome === 'completed') return;
    const error = previous.failureType ?? previous.failureMessage;
    if (error === undefined || error !== (step.failureType ?? step.failureMessage)) return;
    const gapMs = Date.parse(step.scheduledAt) - Date.parse(previous.closedAt);
    if (gapMs >= threshold) return;
    out.push({
      ...where,
      step: step.step,
      activityType: step.activityType,
      error,
      first: `activity ${previous.activityId}`,
      second: `activity ${step.activityId}`,
      gapMs,
    });
  });
  return out;
}

function errorOf(kind?: string, reason?: string, failureType?: string): string | undefined {
  if (reason) return `${kind ? `${kind.toUpperCase()} ` : ''}${reason}`;
  return failureType;
}

function activityTypeOf(report: InspectReport, activityId: string): { activityType?: string } {
  const step = [...report.steps, ...report.compensations].find((s) => s.activityId === activityId);
  return step ? { activityType: step.activityType } : {};
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
