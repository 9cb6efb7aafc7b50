import type { Info } from '@temporalio/activity';
import type { AttemptChain, AttemptRecord } from '../src/attempts/attempt-record';
import type { Classification } from '../src/classification/classification';
import type { Cost } from '../src/cost/cost';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import type { CircuitStateName } from '../src/containment/circuit';
import type { CircuitStateChange } from './containment/tool-governor';

/** One attempt as telemetry sees it, from start to end. */
export interface AttemptObservation {
  /** Runs the activity inside the attempt's span context, so calls it makes nest under the attempt. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * The attempt showed it is alive (a heartbeat). The interceptor calls it from the heartbeat it gives the activity,
   * so the stall gauge measures time since the last sign of progress, not since the start.
   */
  progressed(): void;
  /**
   * A call of this attempt was answered with a CAP or a WAIT (or failed while the circuit was open) and is sent again
   * from the worker: counted like a failed attempt's answer (429s by class), though the attempt goes on.
   */
  resent(classification: Classification): void;
  costRecorded(cost: Cost, model: string | undefined): void;
  ended(record: AttemptRecord, decision: RetryDecision | undefined, circuit: CircuitStateName): void;
}

/**
 * Where the interceptor reports what happens to attempts and circuits: spans, events, metrics. Kept behind an
 * interface so the interceptor does not depend on how (or whether) they are exported.
 */
export interface AttemptTelemetry {
  startAttempt(
    info: Info,
    attempt: Omit<AttemptRecord, 'outcome'>,
    previous: AttemptChain,
  ): AttemptObservation;
  circuitChanged(change: CircuitStateChange): void;
}
