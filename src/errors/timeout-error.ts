/** Which wait ran out: connecting, waiting for the response headers, between body chunks, or the whole call. */
export type TimeoutPhase = 'connect' | 'response' | 'body' | 'total';

/**
 * A request phase ran out of time. `requestSent` tells whether the provider may have acted on it: a response or
 * body timeout after the request went out leaves the side effect unknown, so the next attempt should reconcile
 * before repeating it.
 */
export class ResilienceTimeoutError extends Error {
  /** Brand checked by {@link isResilienceTimeoutError} (and by the classifier). */
  readonly isResilienceTimeoutError = true as const;
  override readonly name = 'ResilienceTimeoutError';

  constructor(
    readonly phase: TimeoutPhase,
    readonly timeoutMs: number,
    /** True once the request was fully written: the provider may have acted on it. */
    readonly requestSent: boolean,
    /** The URL without its query string. */
    readonly url?: string,
  ) {
    super(`${phase} timeout after ${timeoutMs} ms${url ? ` for ${url}` : ''}`);
  }
}

/** True when `e` is a {@link ResilienceTimeoutError}, even one from another copy of this package. */
export function isResilienceTimeoutError(e: unknown): e is ResilienceTimeoutError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isResilienceTimeoutError?: unknown }).isResilienceTimeoutError === true
  );
}
