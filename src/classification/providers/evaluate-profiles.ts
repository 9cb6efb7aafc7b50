import { findRule } from '../rules';
import { parseResetMs, parseResetTimeMs } from '../retry-after';
import type {
  ProviderProfile,
  ProviderSignals,
  ProviderVerdict,
  RateLimitBudget,
  ReportedBudget,
} from './provider-profile';

/** How deep the body is searched for `code` / `type` / `status` fields. */
const MAX_CODE_DEPTH = 4;
/** How many codes are collected at most. */
const MAX_CODES = 16;

/**
 * Error codes, types and statuses in a provider's error body, lower-case: OpenAI's `error.code` / `error.type`,
 * Anthropic's `error.type` and `error.details.error_code`, Google's `error.status` and `error.details[].reason`,
 * Stripe's `error.code` / `error.type`. Bounded: a few levels, a few codes. Never throws.
 */
export function codesOf(body: unknown): Set<string> {
  const codes = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_CODE_DEPTH || codes.size >= MAX_CODES || value === null || typeof value !== 'object')
      return;
    if (Array.isArray(value)) {
      for (const item of value.slice(0, 8)) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    for (const key of ['code', 'type', 'status', 'error_code', 'reason']) {
      const v = record[key];
      if (typeof v === 'string' && v.length > 0 && v.length <= 100) codes.add(v.toLowerCase());
    }
    for (const key of ['error', 'details', 'errors']) visit(record[key], depth + 1);
  };
  try {
    visit(body, 0);
  } catch {
    // a hostile getter: use what was found
  }
  return codes;
}

/**
 * The first structured verdict of the profiles, in order: each profile's `inspect`, then its codes, statuses and
 * rules. `undefined` when no profile recognises the failure.
 */
export function structuredVerdict(
  profiles: readonly ProviderProfile[],
  signals: ProviderSignals,
): ProviderVerdict | undefined {
  for (const profile of profiles) {
    const inspected = safe(() => profile.inspect?.(signals));
    if (inspected) return inspected;
    // In the profile's order, most specific first: Anthropic's spend cap is a `rate_limit_error` too.
    for (const [code, meaning] of Object.entries(profile.codes ?? {})) {
      if (signals.codes.has(code)) return meaning;
    }
    const byStatus =
      signals.status !== undefined &&
      profile.statuses &&
      Object.prototype.hasOwnProperty.call(profile.statuses, signals.status)
        ? profile.statuses[signals.status]
        : undefined;
    if (byStatus) return byStatus;
    const rule = profile.rules
      ? findRule(profile.rules, { status: signals.status, headers: signals.headers, text: signals.text })
      : undefined;
    if (rule) return { kind: rule.kind, reason: rule.reason };
  }
  return undefined;
}

/** The wait a spent rate-limit budget imposes, with the budget's name. */
export interface BudgetWait {
  readonly ms: number;
  readonly budget: string;
}

/**
 * The wait that actually blocks the next call, from the rate-limit budgets the profiles know: among the budgets the
 * response reports, those with nothing remaining block, and the longest of their resets is the wait. When none is at
 * 0 yet the call was refused (a 429), the request was too big for what remained of a token budget: the token budgets
 * block. `undefined` when no budget is reported or none blocks.
 */
export function blockingBudgetWait(
  profiles: readonly ProviderProfile[],
  signals: ProviderSignals,
): BudgetWait | undefined {
  const reported = reportedBudgets(profiles, signals);
  let blocking = reported.filter((r) => r.remaining <= 0);
  if (blocking.length === 0 && signals.status === 429) blocking = reported.filter((r) => r.tokens);
  if (blocking.length === 0) return undefined;
  const longest = blocking.reduce((a, b) => (b.ms > a.ms ? b : a));
  return { ms: longest.ms, budget: longest.name };
}

/**
 * Every rate-limit budget the profiles find in a response's headers (each header pair read once): for the
 * classifier's blocking wait and for pacing a tool under what the provider reports.
 */
export function reportedBudgets(
  profiles: readonly ProviderProfile[],
  signals: Pick<ProviderSignals, 'headers' | 'nowMs'> & Partial<ProviderSignals>,
): ReportedBudget[] {
  const reported: ReportedBudget[] = [];
  const seen = new Set<string>();
  for (const profile of profiles) {
    for (const r of safe(() => profile.readBudgets?.(signals as ProviderSignals)) ?? []) reported.push(r);
    for (const budget of profile.budgets ?? []) {
      const key = `${budget.remaining}|${budget.reset}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const remainingRaw = signals.headers[budget.remaining];
      const resetRaw = signals.headers[budget.reset];
      if (remainingRaw === undefined || resetRaw === undefined) continue;
      const remaining = Number(remainingRaw.trim());
      if (!Number.isFinite(remaining)) continue;
      const ms = resetMsOf(budget.resetFormat, resetRaw, signals.nowMs);
      if (ms === undefined) continue;
      const limit = budget.limit === undefined ? NaN : Number(signals.headers[budget.limit]?.trim());
      reported.push({
        name: budget.name,
        remaining,
        ms,
        tokens: budget.tokens === true,
        ...(Number.isFinite(limit) && limit > 0 ? { limit } : {}),
      });
    }
  }
  return reported;
}

/** Parses a reset header in the given format; `auto` takes epoch seconds, RFC 3339, seconds or a duration. */
export function resetMsOf(
  format: RateLimitBudget['resetFormat'],
  raw: string,
  nowMs: number,
): number | undefined {
  if (format === 'delay') return parseResetMs(raw);
  if (format === 'time') return parseResetTimeMs(raw, nowMs);
  return parseResetTimeMs(raw, nowMs) ?? parseResetMs(raw);
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined; // a user's inspect that throws must not break classification
  }
}
