import type { ProviderProfile, RateLimitBudget } from './provider-profile';

const budget = (name: string, tokens: boolean): RateLimitBudget => ({
  name,
  remaining: `anthropic-ratelimit-${name}-remaining`,
  reset: `anthropic-ratelimit-${name}-reset`,
  limit: `anthropic-ratelimit-${name}-limit`,
  resetFormat: 'time',
  tokens,
});

/**
 * Anthropic. Error types from the errors page (`rate_limit_error` 429, `overloaded_error` 529, `billing_error` 402;
 * the monthly spend cap is a `rate_limit_error` with `error.details.error_code: enforced_spend_limit_reached` and no
 * Retry-After, resuming 00:00 UTC on the 1st; a spend limit you set is a 400 "You have reached your specified API
 * usage limits"); rate-limit headers `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{remaining,reset}`
 * with RFC 3339 resets from the rate-limits page.
 */
export const ANTHROPIC_PROFILE: ProviderProfile = {
  name: 'anthropic',
  docs: ['https://docs.anthropic.com/en/api/errors', 'https://docs.anthropic.com/en/api/rate-limits'],
  codes: {
    enforced_spend_limit_reached: { kind: 'stop', reason: 'anthropic-spend-cap', until: 'next-utc-month' },
    billing_error: { kind: 'stop', reason: 'anthropic-billing' },
    rate_limit_error: { kind: 'throttle', reason: 'anthropic-rate-limit' },
    overloaded_error: { kind: 'retry', reason: 'anthropic-overloaded' },
  },
  statuses: { 529: { kind: 'retry', reason: 'anthropic-overloaded' } },
  rules: [
    {
      status: 400,
      body: /reached your specified (?:workspace )?API usage limits/i,
      kind: 'stop',
      reason: 'anthropic-usage-limit',
    },
    { status: 400, body: /credit balance is too low/i, kind: 'stop', reason: 'anthropic-credit-balance' },
  ],
  budgets: [
    budget('requests', false),
    budget('tokens', true),
    budget('input-tokens', true),
    budget('output-tokens', true),
  ],
};
