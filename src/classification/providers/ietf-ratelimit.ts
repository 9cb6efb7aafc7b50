import type { ProviderProfile, ProviderSignals, ReportedBudget } from './provider-profile';

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): the current structured form
 * `RateLimit: "default";r=0;t=30` (r = remaining, t = seconds until reset), the older list form
 * `RateLimit: limit=100, remaining=0, reset=30`, the separate `RateLimit-Remaining` / `RateLimit-Reset` fields of
 * earlier drafts, and the common `X-RateLimit-Remaining` / `X-RateLimit-Reset` pair (seconds, or epoch seconds).
 */
export const IETF_RATELIMIT_PROFILE: ProviderProfile = {
  name: 'ietf-ratelimit',
  docs: [
    'https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/',
    'https://www.ietf.org/archive/id/draft-ietf-httpapi-ratelimit-headers-06.txt',
  ],
  budgets: [
    {
      name: 'requests',
      remaining: 'ratelimit-remaining',
      reset: 'ratelimit-reset',
      limit: 'ratelimit-limit',
      resetFormat: 'delay',
    },
    {
      name: 'requests',
      remaining: 'x-ratelimit-remaining',
      reset: 'x-ratelimit-reset',
      limit: 'x-ratelimit-limit',
      resetFormat: 'auto',
    },
  ],
  readBudgets: rateLimitField,
};

/** Budgets in a `RateLimit` field, in either draft form. At most 8 policies are read. */
function rateLimitField(signals: ProviderSignals): ReportedBudget[] {
  const field = signals.headers.ratelimit;
  if (field === undefined || field.length > 2048) return [];
  const out: ReportedBudget[] = [];
  // Structured form: one list member per policy, `"name";r=0;t=30`.
  for (const member of field.split(',').slice(0, 8)) {
    const r = /;\s*r=(\d+)/.exec(member);
    const t = /;\s*t=(\d+)/.exec(member);
    if (r && t) {
      const name = /^\s*"?([^";]*)"?/.exec(member)?.[1] || 'default';
      out.push({ name, remaining: Number(r[1]), ms: Number(t[1]) * 1000, tokens: false });
    }
  }
  if (out.length > 0) return out;
  // Older dictionary form: `limit=100, remaining=0, reset=30`.
  const remaining = /(?:^|[,;\s])remaining=(\d+)/.exec(field);
  const reset = /(?:^|[,;\s])reset=(\d+)/.exec(field);
  return remaining && reset
    ? [{ name: 'requests', remaining: Number(remaining[1]), ms: Number(reset[1]) * 1000, tokens: false }]
    : [];
}
