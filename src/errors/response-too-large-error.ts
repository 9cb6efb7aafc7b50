/**
 * A response body was larger than the caller allowed (`maxBodyBytes`), and the caller did not opt in to truncation.
 *
 * Thrown instead of returning a silently shortened body: a cut JSON document or file is worse than a clear failure.
 * The request reached the provider and it answered, so repeating it will most likely get the same answer.
 */
export class ResponseTooLargeError extends Error {
  /** Brand checked by {@link isResponseTooLargeError}, robust across duplicate installs of this package. */
  readonly isResponseTooLargeError = true as const;
  override readonly name = 'ResponseTooLargeError';

  constructor(
    /** The limit in bytes that was exceeded. */
    readonly limitBytes: number,
    /** Bytes seen when the read stopped (at least `limitBytes + 1`), or the announced `content-length`. */
    readonly receivedBytes: number,
    /** HTTP status of the response (kept out of a `status` field so classifiers do not read it as a failed call). */
    readonly responseStatus: number,
    /** The URL without its query string. */
    readonly url?: string,
  ) {
    super(
      `response body of ${url ? `${url} ` : ''}exceeds ${limitBytes} bytes (${receivedBytes} bytes or more): ` +
        `raise maxBodyBytes, or pass onTooLarge: 'truncate' to accept a cut body (the result then has truncated: true)`,
    );
  }
}

/** True when `e` is a {@link ResponseTooLargeError}, even one from another copy of this package. */
export function isResponseTooLargeError(e: unknown): e is ResponseTooLargeError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isResponseTooLargeError?: unknown }).isResponseTooLargeError === true
  );
}
