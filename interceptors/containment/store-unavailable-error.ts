/**
 * The shared governor store did not answer in time (or refused the call). The store turns it into degraded mode (local
 * state), so a worker never fails an attempt because of it; it is exposed as the `cause` of the degraded event.
 */
export class StoreUnavailableError extends Error {
  /** Brand checked by {@link isStoreUnavailableError}, robust across duplicate installs of this package. */
  readonly isStoreUnavailableError = true as const;
  override readonly name = 'StoreUnavailableError';

  constructor(
    /** What failed: `timeout`, `contention` (too many compare-and-set conflicts) or `error`. */
    readonly reason: 'timeout' | 'contention' | 'error',
    message = 'the shared governor store did not answer',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `e` is a {@link StoreUnavailableError}, even one from another copy of this package. */
export function isStoreUnavailableError(e: unknown): e is StoreUnavailableError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isStoreUnavailableError?: unknown }).isStoreUnavailableError === true
  );
}
