/** Retry-After values above this are clamped: a provider cannot ask us to wait for years. 30 days. */
export const MAX_RETRY_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Parses an HTTP `Retry-After` value (delta seconds or an HTTP date) into milliseconds from `nowMs`.
 *
 * Dates are read strictly as RFC 9110 allows (see {@link parseHttpDate}); anything else (`abc`, `-5`, `1e3`, a
 * garbage string with a digit in it) gives `undefined`. A date in the past gives 0; absurdly large values are clamped
 * to {@link MAX_RETRY_AFTER_MS}. Never NaN, never negative, never throws.
 */
export function parseRetryAfterMs(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return clamp(Number(text) * 1000);
  const date = parseHttpDate(text);
  if (date === undefined) return undefined;
  return clamp(date - (Number.isFinite(nowMs) ? nowMs : 0));
}

/**
 * Parses `retry-after-ms` (OpenAI, Azure OpenAI): a non-negative number of milliseconds. `undefined` when malformed.
 */
export function parseRetryAfterMsHeader(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  return /^\d+(\.\d+)?$/.test(text) ? clamp(Number(text)) : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Parses an HTTP-date in exactly the three forms RFC 9110 §5.6.7 accepts: IMF-fixdate
 * (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
 * (`Sun Nov  6 08:49:37 1994`). Returns epoch ms, or `undefined` for anything else, including impossible dates
 * (`31 Feb`): `Date.parse` would accept almost any string with a digit and turn garbage into a past date.
 */
export function parseHttpDate(text: string): number | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  m = RFC_850.exec(text);
  if (m) {
    // RFC 9110: a two-digit year more than 50 years in the future means the most recent past year with those digits.
    const yy = Number(m[3]);
    const year = yy + (yy >= 70 ? 1900 : 2000);
    return utc(year, m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  }
  m = ASCTIME.exec(text);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), m[3]!, m[4]!, m[5]!);
  return undefined;
}

function utc(
  year: number,
  month: string,
  day: number,
  h: string,
  min: string,
  s: string,
): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const hours = Number(h);
  const minutes = Number(min);
  const seconds = Number(s);
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const ms = Date.UTC(year, monthIndex, day, hours, minutes, Math.min(seconds, 59));
  // Date.UTC rolls 31 Feb over into March: reject dates that do not exist.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/**
 * Parses a rate-limit reset value given as a delay: seconds (`RateLimit-Reset: 12`, Azure's integers) or Go-style
 * durations as OpenAI sends them (`x-ratelimit-reset-requests: 12s`, `1m30s`, `6ms`, `2h0m0s`, `0.5s`). Returns
 * milliseconds, or `undefined` for anything else.
 */
export function parseResetMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim().toLowerCase();
  if (text.length > 64) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return clamp(Number(text) * 1000);
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 1e-6,
  };
  let total = 0;
  let matched = '';
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) {
    total += Number(match[1]) * units[match[2]!]!;
    matched += match[0];
  }
  return matched !== '' && matched === text ? clamp(total) : undefined;
}

/**
 * Parses an absolute reset time: an RFC 3339 timestamp (Anthropic's `anthropic-ratelimit-requests-reset:
 * 2026-01-01T00:00:30Z`) or epoch seconds (GitHub's `x-ratelimit-reset: 1767225630`). Returns milliseconds from
 * `nowMs` (0 when already past), or `undefined`.
 */
export function parseResetTimeMs(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d{9,11}(\.\d+)?$/.test(text)) return clamp(Number(text) * 1000 - nowMs);
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.exec(
    text,
  );
  if (!m) return undefined;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? clamp(ms - nowMs) : undefined;
}

/** Rounds up, clamps to [0, {@link MAX_RETRY_AFTER_MS}]; never NaN. */
export function clampWaitMs(ms: number): number {
  return clamp(ms);
}

function clamp(ms: number): number {
  if (Number.isNaN(ms)) return 0;
  if (!Number.isFinite(ms)) return ms > 0 ? MAX_RETRY_AFTER_MS : 0;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(ms)));
}
