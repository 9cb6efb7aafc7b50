/** Retry-After values above this are clamped: a provider cannot ask us to wait for years. 30 days. */
export const MAX_RETRY_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Parses an HTTP `Retry-After` value (delta seconds or an HTTP date) into milliseconds from `nowMs`.
 *
 * Malformed values (`abc`, negative numbers, empty) give `undefined`; a date in the past gives 0; absurdly large values
 * are clamped to {@link MAX_RETRY_AFTER_MS}. Never NaN, never negative, never throws.
 */
export function parseRetryAfterMs(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return clamp(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined; // "-5", "1e3": not delta-seconds and not a date
  const date = Date.parse(text);
  if (!Number.isFinite(date)) return undefined;
  return clamp(date - (Number.isFinite(nowMs) ? nowMs : 0));
}

/**
 * Parses a rate-limit reset value as providers send it: seconds (`RateLimit-Reset: 12`), or durations such as
 * OpenAI's `x-ratelimit-reset-requests: 6m0s`, `1s`, `250ms`. Returns milliseconds, or `undefined`.
 */
export function parseResetMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return clamp(Number(text) * 1000);
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let matched = '';
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(match[1]) * units[match[2]!]!;
    matched += match[0];
  }
  return matched !== '' && matched === text ? clamp(total) : undefined;
}

function clamp(ms: number): number {
  if (!Number.isFinite(ms)) return MAX_RETRY_AFTER_MS;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(ms)));
}
