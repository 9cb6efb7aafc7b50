import type { Classification } from './classification';
import { DEFAULT_CONTEXT_LENGTH_PATTERNS, DEFAULT_QUOTA_PATTERNS, matchesAny } from './patterns';
import { parseRetryAfterMs } from './retry-after';
import { findRule, type ClassificationRule } from './rules';

/** Options of {@link classifyHttp} and {@link classifyError}. */
export interface ClassifyOptions {
  /** Longest Retry-After still treated as WAIT; longer is STOP. @default 60_000 */
  readonly maxWaitMs?: number;
  /** Quota wording that makes a failure STOP. @default DEFAULT_QUOTA_PATTERNS */
  readonly quotaPatterns?: readonly RegExp[];
  /** "Input too large" wording that makes a failure FAIL. @default DEFAULT_CONTEXT_LENGTH_PATTERNS */
  readonly contextLengthPatterns?: readonly RegExp[];
  /** Provider rules checked before the defaults, first match wins. @default [] */
  readonly rules?: readonly ClassificationRule[];
  /** "Now" in epoch ms for Retry-After dates, when the response does not say. @default Date.now() */
  readonly nowMs?: number;
}

/** An HTTP response to classify. */
export interface HttpResponseLike {
  readonly status: number;
  /** Header names in any case; values as strings (arrays are joined). */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Body text (or an object, which is JSON-encoded for matching). */
  readonly body?: unknown;
  /** "Now" in epoch ms, for Retry-After dates. @default Date.now() */
  readonly now?: number;
}

/** Default of {@link ClassifyOptions.maxWaitMs}. */
export const DEFAULT_MAX_WAIT_MS = 60_000;

const PERMANENT_REASONS: Readonly<Record<number, string>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  422: 'validation',
};

/** Statuses whose body may carry quota wording that overrides the status's usual meaning. */
const QUOTA_STATUSES = new Set([402, 403, 429, 503]);

/**
 * Classifies an HTTP response. Rules first, then quota and context-length wording, then by status and Retry-After:
 * 429 with Retry-After ≤ maxWaitMs is WAIT, longer is STOP, none is CAP; 503 with Retry-After likewise WAIT/STOP;
 * other 5xx and 408 are RETRY; 400/401/403/404/409/413/422 and other 4xx are FAIL.
 *
 * Malformed input never throws: a bad Retry-After counts as absent, a huge body is scanned only at its start.
 *
 * @example
 * ```ts
 * classifyHttp({ status: 429, headers: { 'retry-after': '10800' } });
 * // => { kind: 'stop', reason: 'retry-after-long', retryAfterMs: 10800000, status: 429 }
 * ```
 */
export function classifyHttp(response: HttpResponseLike, options: ClassifyOptions = {}): Classification {
  const status = Number.isInteger(response.status) ? response.status : 0;
  const headers = normalizeHeaders(response.headers);
  const text = bodyText(response.body);
  const nowMs =
    [response.now, options.nowMs].find((t): t is number => typeof t === 'number' && Number.isFinite(t)) ??
    Date.now();
  const retryAfterMs = parseRetryAfterMs(headers['retry-after'], nowMs);
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const withRetryAfter = (c: Omit<Classification, 'status' | 'retryAfterMs'>): Classification =>
    retryAfterMs === undefined ? { ...c, status } : { ...c, status, retryAfterMs };

  const rule = findRule(options.rules ?? [], { status, headers, text });
  if (rule) return withRetryAfter({ kind: rule.kind, reason: rule.reason });

  if (QUOTA_STATUSES.has(status) && matchesAny(options.quotaPatterns ?? DEFAULT_QUOTA_PATTERNS, text)) {
    return withRetryAfter({ kind: 'stop', reason: 'quota-text' });
  }
  if (
    status >= 400 &&
    status < 500 &&
    matchesAny(options.contextLengthPatterns ?? DEFAULT_CONTEXT_LENGTH_PATTERNS, text)
  ) {
    return { kind: 'fail', reason: 'context-length-exceeded', status };
  }
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
    if (retryAfterMs === undefined) return { kind: 'cap', reason: 'no-retry-after', status };
    return retryAfterMs <= maxWaitMs
      ? { kind: 'wait', reason: 'retry-after', retryAfterMs, status }
      : { kind: 'stop', reason: 'retry-after-long', retryAfterMs, status };
  }
  if (status === 408 || (status >= 500 && status < 600))
    return { kind: 'retry', reason: `http-${status}`, status };
  if (status >= 400 && status < 500)
    return { kind: 'fail', reason: PERMANENT_REASONS[status] ?? `http-${status}`, status };
  // 1xx/2xx/3xx reaching the classifier means the caller treated an unexpected answer as an error; repeating the
  // same request will get the same answer.
  return { kind: 'fail', reason: `unexpected-status-${status}`, status };
}

/** Lower-cases header names and joins array values; drops anything that is not a string. Never throws. */
export function normalizeHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === null || typeof headers !== 'object') return out;
  try {
    const entries: Iterable<[string, unknown]> =
      typeof (headers as { entries?: unknown }).entries === 'function' && !Array.isArray(headers)
        ? ((headers as { entries(): Iterable<[string, unknown]> }).entries() as Iterable<[string, unknown]>)
        : Object.entries(headers);
    for (const [name, value] of entries) {
      if (typeof value === 'string') out[name.toLowerCase()] = value;
      else if (typeof value === 'number') out[name.toLowerCase()] = String(value);
      else if (Array.isArray(value))
        out[name.toLowerCase()] = value.filter((v) => typeof v === 'string').join(', ');
    }
  } catch {
    // A hostile or broken headers object: classify without headers rather than throw.
  }
  return out;
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body === undefined || body === null) return '';
  try {
    return JSON.stringify(body)?.slice(0, 64 * 1024) ?? '';
  } catch {
    return ''; // circular or otherwise unserialisable
  }
}
