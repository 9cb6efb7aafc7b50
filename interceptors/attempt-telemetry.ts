import type { AttemptChain, AttemptRecord } from '../src/attempts/attempt-record';
import type { Cost } from '../src/cost/cost';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import type { CircuitStateChange } from './tool-circuit';

/**
 * Where the interceptor reports what happens to attempts and circuits: spans, events, metrics and logs. Kept behind
 * an interface so the interceptor does not depend on how (or whether) they are exported.
 */
export interface AttemptTelemetry {
  attemptStarted(attempt: Omit<AttemptRecord, 'outcome'>, previous: AttemptChain): void;
  costRecorded(attempt: Omit<AttemptRecord, 'outcome'>, cost: Cost, model: string | undefined): void;
  attemptEnded(record: AttemptRecord, decision: RetryDecision | undefined): void;
  circuitChanged(change: CircuitStateChange): void;
}

/** Reports nothing. */
export const NO_TELEMETRY: AttemptTelemetry = {
  attemptStarted: () => undefined,
  costRecorded: () => undefined,
  attemptEnded: () => undefined,
  circuitChanged: () => undefined,
};
