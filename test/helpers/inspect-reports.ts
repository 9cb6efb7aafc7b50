import type { InspectReport } from '../../src';

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
