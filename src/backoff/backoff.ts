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

/** Longest delay either function returns: 30 days, like the longest Retry-After honoured. */
export const MAX_DELAY_MS = 30 * 24 * 60 * 60 * 1000;

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
 *
 * Never throws and never returns NaN: it runs while a failure is being handled, where an exception would hide the
 * real error. Bad inputs are clamped, not rejected (options are validated where they are given):
 * - `initialIntervalMs` or `maximumIntervalMs` that is NaN, negative or infinite counts as absent (its default);
 * - `backoffCoefficient` below 1, NaN or infinite counts as absent (2);
 * - `jitterRatio` NaN counts as absent (0.2); otherwise it is clamped into [0, 1);
 * - `seed.attempt` below 1 or NaN counts as 1, a fraction is rounded down;
 * - the result is a whole number of milliseconds from 0 to {@link MAX_DELAY_MS}.
 */
export function backoffDelayMs(seed: JitterSeed, options: BackoffOptions = {}): number {
  const initial = finiteAtLeast(options.initialIntervalMs, 0) ?? DEFAULT_BACKOFF.initialIntervalMs;
  const coefficient = finiteAtLeast(options.backoffCoefficient, 1) ?? DEFAULT_BACKOFF.backoffCoefficient;
  const maximum = Math.min(finiteAtLeast(options.maximumIntervalMs, 0) ?? initial * 100, MAX_DELAY_MS);
  const jitterRatio = jitterRatioOf(options.jitterRatio);
  const attempt = attemptNumber(seed.attempt);
  const exponent = Math.min(attempt - 1, 1000);
  const base = Math.min(maximum, initial * Math.pow(coefficient, exponent));
  const fraction = deterministicFraction(seed.workflowId, seed.activityId, attempt);
  const delay = base * (1 + jitterRatio * (2 * fraction - 1));
  return clampDelay(Number.isFinite(delay) ? delay : maximum);
}

/**
 * The delay for a provider's Retry-After: never earlier than asked, plus a small deterministic jitter so that
 * parallel callers told the same time do not all return in the same millisecond.
 *
 * Never throws and never returns NaN: a `retryAfterMs` that is NaN or negative counts as 0, one above
 * {@link MAX_DELAY_MS} (Infinity included) as that maximum; the result is a whole number from 0 to {@link MAX_DELAY_MS}.
 */
export function waitDelayMs(retryAfterMs: number, seed: JitterSeed): number {
  const wait = Math.min(
    MAX_DELAY_MS,
    finiteAtLeast(retryAfterMs, 0, 0) ?? (retryAfterMs === Infinity ? MAX_DELAY_MS : 0),
  );
  const fraction = deterministicFraction(seed.workflowId, seed.activityId, attemptNumber(seed.attempt));
  const jitter = Math.min(WAIT_JITTER_MAX_MS, wait * WAIT_JITTER_RATIO) * fraction;
  return clampDelay(Math.ceil(wait + jitter));
}

/**
 * `value` when it is a finite number ≥ `min`; `below` (when given) for a finite number under `min`; else `undefined`.
 */
function finiteAtLeast(value: unknown, min: number, below?: number): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return value >= min ? value : below;
}

/** Jitter as a fraction in [0, 1): NaN or a non-number is the default, anything else is clamped. */
function jitterRatioOf(ratio: unknown): number {
  if (typeof ratio !== 'number' || Number.isNaN(ratio)) return DEFAULT_BACKOFF.jitterRatio;
  return Math.min(0.999, Math.max(0, ratio));
}

/** A 1-based attempt number from anything: NaN and values below 1 are 1, fractions are rounded down. */
function attemptNumber(attempt: number): number {
  return Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
}

function clampDelay(ms: number): number {
  return Math.min(MAX_DELAY_MS, Math.max(0, Math.round(ms)));
}
