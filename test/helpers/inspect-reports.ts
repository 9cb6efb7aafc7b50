import {
  analyzeFleet,
  type AttemptReport,
  type FleetEntry,
  type FleetReport,
  type InspectReport,
  type StepReport,
} from '../../src';

/** The moment the inspect-report tests' executions start from (2026-01-01 UTC). */
export const T0 = Date.UTC(2026, 0, 1);

/** `s` seconds after {@link T0}, as an ISO timestamp. */
export const T = (s: number): string => new Date(T0 + s * 1000).toISOString();

/** `ms` milliseconds after {@link T0}, as an ISO timestamp (the renderers' tests place bars to the millisecond). */
export const at = (ms: number): string => new Date(T0 + ms).toISOString();

/** An attempt recorded by the toolkit, with only what `a` gives besides. */
export const toolkitAttempt = (
  a: Partial<AttemptReport> & Pick<AttemptReport, 'attempt' | 'outcome'>,
): AttemptReport => ({ source: 'toolkit', ...a });

/** A completed step of `call` scheduled at T0 with the verdict `ok`, explained "completed" unless `more` says else. */
export const completedStep = (
  more: Partial<StepReport> & Pick<StepReport, 'step' | 'attempts'>,
): StepReport => ({
  activityType: 'call',
  activityId: '1',
  scheduledAt: at(0),
  outcome: 'completed',
  verdict: 'ok',
  explanation: 'completed',
  ...more,
});

/** A completed toolkit execution of `agent` that ran from T(0) to T(10), with no steps unless `overrides` add some. */
export function execution(id: string, overrides: Partial<InspectReport> = {}): InspectReport {
  return {
    schemaVersion: 1,
    workflowId: id,
    runId: `run-${id}`,
    workflowType: 'agent',
    status: 'completed',
    startedAt: T(0),
    closedAt: T(10),
    toolkit: true,
    steps: [],
    compensations: [],
    ...overrides,
  };
}

/** A step of `search` that ran from T(0) to T(1) and failed terminally, with no attempts unless `overrides` add some. */
export function failedStep(
  overrides: Partial<InspectReport['steps'][number]> = {},
): InspectReport['steps'][number] {
  return {
    step: 'search#1',
    activityType: 'search',
    activityId: '1',
    scheduledAt: T(0),
    closedAt: T(1),
    outcome: 'failed',
    attempts: [],
    verdict: 'terminal-policy-failure',
    explanation: '',
    ...overrides,
  };
}

/** The fleet report of `entries` for the query `q`, analysed at `nowMs`. */
export const fleetOf = (entries: FleetEntry[], nowMs = 0): FleetReport =>
  analyzeFleet(entries, { query: 'q', nowMs });
