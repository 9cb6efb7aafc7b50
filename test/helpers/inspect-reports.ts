import { analyzeFleet, type FleetEntry, type FleetReport, type InspectReport } from '../../src';

/** The moment the fleet-report tests' executions start from (2026-01-01 UTC). */
export const T0 = Date.UTC(2026, 0, 1);

/** `s` seconds after {@link T0}, as an ISO timestamp. */
export const T = (s: number): string => new Date(T0 + s * 1000).toISOString();

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
