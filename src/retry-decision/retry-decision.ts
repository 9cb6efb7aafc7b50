import { backoffDelayMs, MAX_DELAY_MS, waitDelayMs, type BackoffOptions } from '../backoff/backoff';
import type { Classification, ClassKind } from '../classification/classification';
import { failureTypeOf, type FailureType } from '../failure-types';

/**
 * The decision record of one failed attempt: why it failed and what happens next. It travels as the
 * `ApplicationFailure`'s first detail, so it is visible in the workflow history, the UI and to `inspect`.
 */
export interface RetryDecision {
  readonly kind: ClassKind;
  readonly reason: string;
  readonly failureType: FailureType;
  readonly nonRetryable: boolean;
  /** Expected throttling (WAIT, circuit open): reported as BENIGN so it does not count as an error in metrics. */
  readonly benign: boolean;
  /** The provider's requested wait, if any. */
  readonly retryAfterMs?: number;
  /** The delay chosen before the next attempt (absent when nothing will retry). */
  readonly delayMs?: number;
  /** ISO time before which the next attempt must not start. */
  readonly nextNotBefore?: string;
  readonly attempt: number;
  readonly toolKey: string;
  /** The fallback route the attempt ran on (`withFallback`), when it ran on one. */
  readonly route?: string;
  readonly status?: number;
  /** True when this was the last attempt the retry policy allows: nothing will retry. */
  readonly attemptsExhausted?: boolean;
  /** The step name and its idempotency key (a hash: safe to show), when the workflow interceptor sent a step. */
  readonly step?: string;
  readonly idempotencyKey?: string;
  /**
   * The request may have reached the provider before the attempt failed (a timeout after sending): whether the side
   * effect happened is unknown, and the next attempt should reconcile before repeating it.
   */
  readonly sideEffectUnknown?: boolean;
}

/** What {@link decideRetry} needs besides the classification. */
export interface DecisionContext {
  readonly workflowId: string;
  readonly activityId: string;
  /** 1-based attempt that just failed. */
  readonly attempt: number;
  readonly toolKey: string;
  /** The time of the failure in epoch ms (server time where known). */
  readonly nowMs: number;
  readonly backoff?: BackoffOptions;
  /** The retry policy's `maximumAttempts` (0 or absent: unlimited). */
  readonly maximumAttempts?: number;
  /**
   * Real calls made so far, this one included, when the interceptor counts them: the backoff exponent and
   * `maximumAttempts` then count calls, not attempts (an attempt refused without a call uses neither).
   * @default the attempt number
   */
  readonly calls?: number;
  readonly step?: string;
  readonly idempotencyKey?: string;
  readonly sideEffectUnknown?: boolean;
}

/** The shortest delay a retryable decision carries. */
export const MIN_RETRY_DELAY_MS = 1;

/**
 * Turns a classification into a decision: STOP and FAIL end retries; WAIT waits the provider's Retry-After plus a
 * small jitter (never earlier); CAP and RETRY back off exponentially with deterministic jitter.
 *
 * Never throws: it runs while a failure is being handled, where an exception would replace the real error. Numbers
 * are clamped instead (see {@link backoffDelayMs} for the backoff options):
 * - `context.attempt` NaN or below 1 counts as 1, a fraction is rounded down;
 * - `context.maximumAttempts` NaN, negative, 0 or infinite means unlimited (as in Temporal), a fraction is rounded down;
 * - `classification.retryAfterMs` NaN or negative counts as absent; above {@link MAX_DELAY_MS} (Infinity included)
 *   as that maximum;
 * - `context.nowMs` that is not a valid time leaves `nextNotBefore` out (the delay is still decided).
 */
export function decideRetry(classification: Classification, context: DecisionContext): RetryDecision {
  const { kind, reason, status } = classification;
  const retryAfterMs = validRetryAfter(classification.retryAfterMs);
  const attempt = Number.isFinite(context.attempt) && context.attempt >= 1 ? Math.floor(context.attempt) : 1;
  const maximumAttempts =
    typeof context.maximumAttempts === 'number' &&
    Number.isFinite(context.maximumAttempts) &&
    context.maximumAttempts >= 1
      ? Math.floor(context.maximumAttempts)
      : 0;
  const seed = { workflowId: context.workflowId, activityId: context.activityId, attempt };
  const counted =
    typeof context.calls === 'number' && Number.isFinite(context.calls) && context.calls >= 1
      ? Math.floor(context.calls)
      : attempt;
  const base = {
    kind,
    reason,
    failureType: failureTypeOf(kind),
    attempt,
    toolKey: context.toolKey,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(context.step !== undefined ? { step: context.step } : {}),
    ...(context.idempotencyKey !== undefined ? { idempotencyKey: context.idempotencyKey } : {}),
    ...(context.sideEffectUnknown ? { sideEffectUnknown: true } : {}),
  };
  if (kind === 'stop' || kind === 'fail') return { ...base, nonRetryable: true, benign: false };
  if (maximumAttempts && counted >= maximumAttempts) {
    return { ...base, nonRetryable: false, benign: kind === 'wait', attemptsExhausted: true };
  }
  // At least 1 ms: a zero `nextRetryDelay` reads as unset on the wire, and the server then ends the retries
  // (seen on the dev server: retry state TIMEOUT after a Retry-After of 0).
  const delayMs = Math.max(
    MIN_RETRY_DELAY_MS,
    kind === 'wait' && retryAfterMs !== undefined
      ? waitDelayMs(retryAfterMs, seed)
      : backoffDelayMs({ ...seed, attempt: counted }, context.backoff),
  );
  const next = context.nowMs + delayMs;
  return {
    ...base,
    nonRetryable: false,
    benign: kind === 'wait',
    delayMs,
    // Dates end at ±8.64e15 ms; beyond that (or for NaN) toISOString would throw.
    ...(Number.isFinite(next) && Math.abs(next) <= 8.64e15
      ? { nextNotBefore: new Date(next).toISOString() }
      : {}),
  };
}

/** A usable Retry-After in ms: NaN, negative and non-numbers are absent; longer than the longest delay is clamped. */
function validRetryAfter(ms: unknown): number | undefined {
  return typeof ms === 'number' && !Number.isNaN(ms) && ms >= 0 ? Math.min(ms, MAX_DELAY_MS) : undefined;
}
