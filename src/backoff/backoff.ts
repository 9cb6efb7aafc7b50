import { deterministicFraction } from './hash';

/** Exponential backoff parameters, in the units of Temporal's `RetryPolicy` but as milliseconds. */
export interface BackoffOptions {
  /** Delay before the second attempt. @default 1_000 */
  readonly initialIntervalMs?: number;
  /** Growth per attempt. @default 2 */
  readonly backoffCoefficient?: number;
  /** Cap on the delay before jitter. @default 100 × initialIntervalMs, like Temporal */
  readonly maximumIntervalMs?: number;
  /** Jitter as a fraction of the delay: ±jitterRatio. @default 0.2 */
  readonly jitterRatio?: number;
}

/** The identity of one attempt, hashed into its jitter. */
export interface JitterSeed {
  readonly workflowId: string;
  readonly activityId: string;
  readonly attempt: number;
}

/** Defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF = {
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  jitterRatio: 0.2,
} as const;

/** Extra wait added on top of a provider's Retry-After: at most this fraction of it... */
export const WAIT_JITTER_RATIO = 0.1;
/** ...and never more than this. */
export const WAIT_JITTER_MAX_MS = 1_000;

/**
 * The delay after failed attempt `seed.attempt` (1-based): `initial × coefficient^(attempt-1)`, capped, then spread
 * by a deterministic ±jitter.
 *
 * Temporal's own backoff has no jitter, so ten workflows failing together retry together; hashing the attempt's
 * identity spreads them while keeping each delay predictable in tests.
 */
export function backoffDelayMs(seed: JitterSeed, options: BackoffOptions = {}): number {
  const initial = options.initialIntervalMs ?? DEFAULT_BACKOFF.initialIntervalMs;
  const coefficient = options.backoffCoefficient ?? DEFAULT_BACKOFF.backoffCoefficient;
  const maximum = options.maximumIntervalMs ?? initial * 100;
  const jitterRatio = options.jitterRatio ?? DEFAULT_BACKOFF.jitterRatio;
  const exponent = Math.max(0, Math.min(seed.attempt - 1, 1000));
  const base = Math.min(maximum, initial * Math.pow(coefficient, exponent));
  const fraction = deterministicFraction(seed.workflowId, seed.activityId, seed.attempt);
  const delay = base * (1 + jitterRatio * (2 * fraction - 1));
  return Math.max(0, Math.round(Number.isFinite(delay) ? delay : maximum));
}

/**
 * The delay for a provider's Retry-After: never earlier than asked, plus a small deterministic jitter so that
 * parallel callers told the same time do not all return in the same millisecond.
 */
export function waitDelayMs(retryAfterMs: number, seed: JitterSeed): number {
  const fraction = deterministicFraction(seed.workflowId, seed.activityId, seed.attempt);
  const jitter = Math.min(WAIT_JITTER_MAX_MS, retryAfterMs * WAIT_JITTER_RATIO) * fraction;
  return Math.ceil(retryAfterMs + jitter);
}
