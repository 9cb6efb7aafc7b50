/**
 * The five failure classes. Each names what to do next, not what went wrong:
 * - `wait`: transient pressure with a short Retry-After: retry after exactly that delay;
 * - `cap`: concurrency overshoot (429 without Retry-After): lower concurrency, back off;
 * - `stop`: a quota or long window is exhausted: do not retry;
 * - `retry`: a transient fault (timeouts, resets, 5xx): back off with jitter, capped attempts;
 * - `fail`: permanent (validation, auth, not found, context too long): never retry.
 */
export type ClassKind = 'wait' | 'cap' | 'stop' | 'retry' | 'fail';

/** Every {@link ClassKind}, in a stable order. */
export const CLASS_KINDS: readonly ClassKind[] = ['wait', 'cap', 'stop', 'retry', 'fail'];

/** The classifier's verdict on one failure. */
export interface Classification {
  readonly kind: ClassKind;
  /** A short stable code, e.g. `retry-after-long`, `quota-text`, `no-retry-after`, `http-503`, `econnreset`. */
  readonly reason: string;
  /** The provider's requested wait, when it gave one (WAIT and STOP from Retry-After). */
  readonly retryAfterMs?: number;
  /** The HTTP status, when the failure was an HTTP response. */
  readonly status?: number;
}
