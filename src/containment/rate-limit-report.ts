/**
 * @module temporal-resilience/src/containment/rate-limit-report
 *
 * Reads what a provider says about its budgets in response headers, for pacing. Safe anywhere.
 */
import { normalizeHeaders } from '../classification/classify-http';
import { parseResetMs } from '../classification/retry-after';
import type { ReportedBudget } from './tool-state';

/** The request and token budgets a response reported, when it did. */
export interface RateLimitReport {
  readonly requests?: ReportedBudget;
  readonly tokens?: ReportedBudget;
}

const REQUEST_HEADERS = {
  remaining: [
    'x-ratelimit-remaining-requests',
    'ratelimit-remaining',
    'x-ratelimit-remaining',
    'anthropic-ratelimit-requests-remaining',
  ],
  limit: [
    'x-ratelimit-limit-requests',
    'ratelimit-limit',
    'x-ratelimit-limit',
    'anthropic-ratelimit-requests-limit',
  ],
  reset: [
    'x-ratelimit-reset-requests',
    'ratelimit-reset',
    'x-ratelimit-reset',
    'anthropic-ratelimit-requests-reset',
  ],
} as const;

const TOKEN_HEADERS = {
  remaining: ['x-ratelimit-remaining-tokens', 'anthropic-ratelimit-tokens-remaining'],
  limit: ['x-ratelimit-limit-tokens', 'anthropic-ratelimit-tokens-limit'],
  reset: ['x-ratelimit-reset-tokens', 'anthropic-ratelimit-tokens-reset'],
} as const;

/**
 * The budgets in a response's headers: IETF `RateLimit-*`, OpenAI's `x-ratelimit-*-requests` / `-tokens` (resets as
 * `6m0s`, `250ms`), GitHub's `x-ratelimit-*` (reset as epoch seconds), Anthropic's (reset as an RFC 3339 time).
 */
export function rateLimitReport(rawHeaders: unknown, nowMs: number): RateLimitReport {
  const headers = normalizeHeaders(rawHeaders);
  const requests = budgetOf(headers, REQUEST_HEADERS, nowMs);
  const tokens = budgetOf(headers, TOKEN_HEADERS, nowMs);
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}

function budgetOf(
  headers: Record<string, string>,
  names: {
    readonly remaining: readonly string[];
    readonly limit: readonly string[];
    readonly reset: readonly string[];
  },
  nowMs: number,
): ReportedBudget | undefined {
  const remaining = firstNumber(headers, names.remaining);
  const resetRaw = names.reset.map((n) => headers[n]).find((v) => v !== undefined);
  if (remaining === undefined || resetRaw === undefined) return undefined;
  const resetMs = resetDelayMs(resetRaw, nowMs);
  if (resetMs === undefined) return undefined;
  const limit = firstNumber(headers, names.limit);
  return { remaining, resetMs, ...(limit !== undefined ? { limit } : {}) };
}

/** A reset as a delay: a duration or seconds, epoch seconds (GitHub), or an RFC 3339 time (Anthropic). */
function resetDelayMs(raw: string, nowMs: number): number | undefined {
  const text = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const at = Date.parse(text);
    return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
  }
  const parsed = parseResetMs(text);
  if (parsed === undefined) return undefined;
  // Epoch seconds (GitHub's x-ratelimit-reset) read as a delay would be decades: turn them into one from now.
  if (/^\d{10}$/.test(text)) return Math.max(0, Number(text) * 1000 - nowMs);
  return parsed;
}

function firstNumber(headers: Record<string, string>, names: readonly string[]): number | undefined {
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  }
  return undefined;
}
