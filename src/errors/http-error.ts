/** Response headers as a plain, lower-case keyed record. */
export type HttpHeaders = Readonly<Record<string, string>>;

/**
 * A non-2xx HTTP response, thrown by activities so the classifier sees status, headers and body together.
 *
 * Throwing this instead of a bare `Error('503')` is what lets a 429 with `Retry-After: 10800` be told apart from a
 * 429 with `Retry-After: 2`. The body is kept for classification only; failure messages never include it.
 */
export class HttpError extends Error {
  /** Brand checked by {@link isHttpError}, robust across duplicate installs of this package. */
  readonly isHttpError = true as const;
  override readonly name = 'HttpError';
  /** Lower-case header names. */
  readonly headers: HttpHeaders;

  constructor(
    readonly status: number,
    headers: Readonly<Record<string, string>> = {},
    /** Response body text (possibly truncated by the thrower). */
    readonly body: string = '',
    /** The requested URL without its query string, for messages. */
    readonly url?: string,
  ) {
    super(`HTTP ${status}${url ? ` from ${url}` : ''}`);
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
    this.headers = lower;
  }
}

/** True when `e` is an {@link HttpError}, even one from another copy of this package. */
export function isHttpError(e: unknown): e is HttpError {
  return typeof e === 'object' && e !== null && (e as { isHttpError?: unknown }).isHttpError === true;
}
