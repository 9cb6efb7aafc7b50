/**
 * The report `temporal-resilience inspect` produces (`--json`). The shape is versioned by `schemaVersion` and pinned
 * by a test; docs/forensics.md documents every field.
 */
export interface InspectReport {
  readonly schemaVersion: 1;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  /** `running`, `completed`, `failed`, `cancelled`, `terminated`, `timed-out`, `continued-as-new`. */
  readonly status: string;
  readonly startedAt: string;
  readonly closedAt?: string;
  /** True when the toolkit's attempt records were found (else attempts are inferred from timings). */
  readonly toolkit: boolean;
  /** Cost of every attempt of every step (toolkit records only; dropped records included). */
  readonly costUsd?: number;
  readonly steps: readonly StepReport[];
  /** Saga compensations (`compensate:<step>`), in the order they were scheduled. */
  readonly compensations: readonly StepReport[];
}

/** What `inspect` concludes about a step. */
export type Verdict =
  | 'ok'
  | 'delayed-retry'
  | 'immediate-retry'
  | 'duplicate-dispatch'
  | 'terminal-policy-failure'
  | 'circuit-open-fast-fail'
  /** The step failed on a fallback route (STOP, open circuit, budget) and the workflow moved to the next route. */
  | 'rerouted'
  | 'lease-overlap'
  | 'duplicate-log'
  | 'pending';

/** One scheduled activity (one business step). */
export interface StepReport {
  /** The step name (toolkit) or `<activityType>#<n>` inferred from scheduling order. */
  readonly step: string;
  readonly activityType: string;
  readonly activityId: string;
  readonly idempotencyKey?: string;
  /** Every attempt carried the same idempotency key (`undefined` without toolkit records). */
  readonly keyStable?: boolean;
  readonly scheduledAt: string;
  readonly closedAt?: string;
  readonly outcome: 'completed' | 'failed' | 'timed-out' | 'cancelled' | 'pending';
  readonly attempts: readonly AttemptReport[];
  /** The fallback route (`withFallback`) the step ran on, and its position in the route list. */
  readonly route?: { readonly name: string; readonly index: number };
  readonly verdict: Verdict;
  /** One sentence on why. */
  readonly explanation: string;
  /** Pending steps: when the server will start the next attempt. */
  readonly nextAttemptAt?: string;
  readonly failureType?: string;
  readonly failureMessage?: string;
  /** Cost of the step's attempts, failed ones included (toolkit records only). */
  readonly costUsd?: number;
}

/** One attempt of a step. */
export interface AttemptReport {
  readonly attempt: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly outcome: 'completed' | 'failed' | 'refused' | 'lost' | 'running' | 'unknown';
  readonly kind?: string;
  readonly reason?: string;
  readonly failureType?: string;
  /** The delay the policy chose after this attempt. */
  readonly policyDelayMs?: number;
  readonly nextNotBefore?: string;
  /** Time from this attempt's end to the next attempt's start, as observed. */
  readonly observedDelayMs?: number;
  readonly idempotencyKey?: string;
  readonly costUsd?: number;
  /** A call re-sent from the worker within the same attempt (CAP, WAIT, or after waiting for a probe). */
  readonly resentLocally?: boolean;
  /** `toolkit`: from the attempt records; `history`: from history events (final attempt only). */
  readonly source: 'toolkit' | 'history';
}
