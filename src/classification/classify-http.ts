import type { Classification } from './classification';
import { DEFAULT_CONTEXT_LENGTH_PATTERNS, DEFAULT_QUOTA_PATTERNS, matchesAny } from './patterns';
import { parseRetryAfterMs, parseRetryAfterMsHeader } from './retry-after';
import { findRule, type ClassificationRule } from './rules';
import { blockingBudgetWait, codesOf, structuredVerdict } from './providers/evaluate-profiles';
import { resolveProfiles } from './providers';
import type { ProviderProfile, ProviderSignals } from './providers/provider-profile';
import { msUntilWindowEnds } from './providers/reset-windows';
import { boundedJson, boundedText } from '../text/bounded-text';

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
  /**
   * Provider profiles consulted before the built-in ones ({@link DEFAULT_PROVIDER_PROFILES}); one named like a
   * built-in (`openai`, `anthropic`, `gemini`, `github`, `stripe`, `ietf-ratelimit`) replaces it.
   * @default []
   */
  readonly providers?: readonly ProviderProfile[];
}

/** An HTTP response to classify. */
export interface HttpResponseLike {
  /** A number, or a numeric string (`'429'`) as some clients report it. */
  readonly status: number | string;
  /** Header names in any case; values as strings (arrays are joined). */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * The body: text, bytes (`Buffer`, typed array, `ArrayBuffer`) or an object; only its first 64 KiB are read, and a
   * stream is never read.
   */
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
 * Classifies an HTTP response. In order:
 * 1. the user's `rules`;
 * 2. structured provider signals (see {@link ProviderProfile}): error codes such as OpenAI's `insufficient_quota`,
 *    Anthropic's `enforced_spend_limit_reached`, Gemini's `QuotaFailure` + `RetryInfo`;
 * 3. a spent rate-limit budget in headers (OpenAI `x-ratelimit-*`, Anthropic `anthropic-ratelimit-*`, GitHub
 *    `x-ratelimit-remaining: 0`, IETF `RateLimit`): WAIT until it resets, or STOP when that is beyond `maxWaitMs`;
 * 4. quota and context-length wording;
 * 5. `retry-after-ms` / `Retry-After` on 429, 503 and 403: WAIT when ≤ maxWaitMs, else STOP; a 429 without is CAP;
 * 6. by status: other 5xx and 408 RETRY, 4xx FAIL.
 * Structured signals outrank wording: a per-minute quota with a 25 s RetryInfo is WAIT 25 s although its message says
 * "exceeded your current quota". Finally `x-should-retry: false` (or `stripe-should-retry: false`) makes any
 * retryable verdict FAIL, and `true` makes a plain 4xx FAIL a RETRY.
 *
 * Malformed input never throws; a body of any type and size is read only up to 64 KiB.
 *
 * @example
 * ```ts
 * classifyHttp({ status: 429, headers: { 'retry-after': '10800' } });
 * // => { kind: 'stop', reason: 'retry-after-long', retryAfterMs: 10800000, status: 429 }
 * ```
 */
export function classifyHttp(response: HttpResponseLike, options: ClassifyOptions = {}): Classification {
  const status = numericStatus(response.status) ?? 0;
  const headers = normalizeHeaders(response.headers);
  const text = boundedText(response.body);
  const nowMs =
    [response.now, options.nowMs].find((t): t is number => typeof t === 'number' && Number.isFinite(t)) ??
    Date.now();
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const shouldRetry = shouldRetryHeader(headers);
  const verdict = classifyResponse(status, headers, text, response.body, nowMs, maxWaitMs, options);
  if (
    shouldRetry === false &&
    (verdict.kind === 'wait' || verdict.kind === 'cap' || verdict.kind === 'retry')
  ) {
    return { kind: 'fail', reason: 'should-retry-false', status };
  }
  // Only a FAIL read from the bare status: a profile's or a rule's FAIL (a declined card) knows better.
  const byStatusOnly = verdict.reason === (PERMANENT_REASONS[status] ?? `http-${status}`);
  if (shouldRetry === true && verdict.kind === 'fail' && byStatusOnly && status >= 400 && status < 500) {
    return { kind: 'retry', reason: 'should-retry-true', status };
  }
  return verdict;
}

function classifyResponse(
  status: number,
  headers: Record<string, string>,
  text: string,
  rawBody: unknown,
  nowMs: number,
  maxWaitMs: number,
  options: ClassifyOptions,
): Classification {
  const retryAfterMs =
    parseRetryAfterMsHeader(headers['retry-after-ms']) ?? parseRetryAfterMs(headers['retry-after'], nowMs);
  const withRetryAfter = (c: Omit<Classification, 'status' | 'retryAfterMs'>): Classification =>
    retryAfterMs === undefined ? { ...c, status } : { ...c, status, retryAfterMs };
  const byLength = (ms: number, reason: string): Classification =>
    ms <= maxWaitMs
      ? { kind: 'wait', reason, retryAfterMs: ms, status }
      : { kind: 'stop', reason: `${reason}-long`, retryAfterMs: ms, status };

  const rule = findRule(options.rules ?? [], { status, headers, text });
  if (rule) return withRetryAfter({ kind: rule.kind, reason: rule.reason });

  const profiles = resolveProfiles(options.providers);
  const body = boundedJson(rawBody);
  const signals: ProviderSignals = { status, headers, body, text, codes: codesOf(body), nowMs, maxWaitMs };
  const budgetWait = blockingBudgetWait(profiles, signals);
  const structured = structuredVerdict(profiles, signals);
  if (structured) {
    const wait = structured.retryAfterMs ?? retryAfterMs ?? budgetWait?.ms;
    switch (structured.kind) {
      case 'throttle':
        if (wait === undefined) return { kind: 'cap', reason: structured.reason, status };
        return wait <= maxWaitMs
          ? { kind: 'wait', reason: structured.reason, retryAfterMs: wait, status }
          : { kind: 'stop', reason: structured.reason, retryAfterMs: wait, status };
      case 'stop': {
        const until = structured.until ? msUntilWindowEnds(structured.until, nowMs) : undefined;
        const hold = structured.retryAfterMs ?? until ?? retryAfterMs ?? budgetWait?.ms;
        return hold === undefined
          ? { kind: 'stop', reason: structured.reason, status }
          : { kind: 'stop', reason: structured.reason, retryAfterMs: hold, status };
      }
      case 'wait':
        return wait === undefined
          ? { kind: 'cap', reason: structured.reason, status }
          : { kind: 'wait', reason: structured.reason, retryAfterMs: wait, status };
      default:
        return { kind: structured.kind, reason: structured.reason, status };
    }
  }

  const throttled = status === 429 || status === 403 || status === 503;
  if (throttled && budgetWait !== undefined) {
    // An explicit Retry-After states the provider's own wait; the reset of the spent budget is the fallback.
    return retryAfterMs !== undefined
      ? byLength(retryAfterMs, 'retry-after')
      : byLength(budgetWait.ms, 'rate-limit-reset');
  }
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
  if (status === 429 || (throttled && retryAfterMs !== undefined)) {
    if (retryAfterMs === undefined) return { kind: 'cap', reason: 'no-retry-after', status };
    return byLength(retryAfterMs, 'retry-after');
  }
  if (status === 408 || (status >= 500 && status < 600))
    return { kind: 'retry', reason: `http-${status}`, status };
  if (status >= 400 && status < 500)
    return { kind: 'fail', reason: PERMANENT_REASONS[status] ?? `http-${status}`, status };
  // 1xx/2xx/3xx reaching the classifier means the caller treated an unexpected answer as an error; repeating the
  // same request will get the same answer. A status that is no HTTP status at all (600, 'abc') is said as such.
  if (status === 0) return { kind: 'fail', reason: 'invalid-status' };
  return { kind: 'fail', reason: `unexpected-status-${status}`, status };
}

/** `x-should-retry` (OpenAI, Anthropic SDK contract) or `stripe-should-retry`: `true`, `false` or absent. */
function shouldRetryHeader(headers: Record<string, string>): boolean | undefined {
  const value = (headers['x-should-retry'] ?? headers['stripe-should-retry'])?.trim().toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/** A status as a number: integers 100-599, or such a number as a string (`'429'`). */
export function numericStatus(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d{3}\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
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
