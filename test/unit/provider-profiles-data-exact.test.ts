// Pins what each built-in provider profile reads from a real failure: each error code's class and reason (OpenAI,
// Anthropic, Stripe), Anthropic's 529 status, the rate-limit header budgets with their names, limits and token flag,
// GitHub's secondary rate limit, the documentation each profile cites, and how a user's profiles replace built-ins.
// Alerts and dashboards key on these reason codes; pacing relies on the budget names and limits.
import { describe, expect, it } from 'vitest';
import { reportedBudgets, structuredVerdict } from '../../src/classification/providers/evaluate-profiles';
import {
  ANTHROPIC_PROFILE,
  DEFAULT_PROVIDER_PROFILES,
  GEMINI_PROFILE,
  GITHUB_PROFILE,
  IETF_RATELIMIT_PROFILE,
  OPENAI_PROFILE,
  STRIPE_PROFILE,
  resolveProfiles,
} from '../../src/classification/providers';
import type { ProviderProfile, ProviderSignals } from '../../src/classification/providers/provider-profile';
import { NOW, signals } from '../helpers/provider-signals';

const verdictOf = (profile: ProviderProfile, code: string) =>
  structuredVerdict([profile], signals({ status: 429, codes: new Set([code]) }));

describe('documentation cited by each profile', () => {
  it('lists the exact pages', () => {
    expect(OPENAI_PROFILE.docs).toEqual([
      'https://platform.openai.com/docs/guides/error-codes',
      'https://platform.openai.com/docs/guides/rate-limits',
      'https://learn.microsoft.com/azure/ai-foundry/openai/quotas-limits',
    ]);
    expect(ANTHROPIC_PROFILE.docs).toEqual([
      'https://docs.anthropic.com/en/api/errors',
      'https://docs.anthropic.com/en/api/rate-limits',
    ]);
    expect(STRIPE_PROFILE.docs).toEqual([
      'https://docs.stripe.com/error-codes',
      'https://docs.stripe.com/api/errors',
      'https://docs.stripe.com/rate-limits',
      'https://docs.stripe.com/error-low-level#server-errors',
    ]);
    expect(GITHUB_PROFILE.docs).toEqual([
      'https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api',
      'https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately',
    ]);
  });
});

describe('OPENAI_PROFILE', () => {
  it.each([
    ['credit_balance_exhausted', 'stop', 'openai-credit-balance-exhausted'],
    ['organization_spend_limit_exceeded', 'stop', 'openai-spend-limit'],
    ['project_spend_limit_exceeded', 'stop', 'openai-spend-limit'],
    ['organization_usage_limit_exceeded', 'stop', 'openai-usage-limit'],
    ['insufficient_quota', 'stop', 'quota-text'],
    ['slow_down', 'cap', 'openai-slow-down'],
    ['server_is_overloaded', 'retry', 'openai-server-overloaded'],
    ['engine_overloaded', 'retry', 'openai-server-overloaded'],
    ['rate_limit_exceeded', 'throttle', 'openai-rate-limit'],
    ['context_length_exceeded', 'fail', 'context-length-exceeded'],
  ])('code %s is %s with reason %s', (code, kind, reason) => {
    expect(verdictOf(OPENAI_PROFILE, code)).toEqual({ kind, reason });
  });

  it('reads the request and token budgets with their limits', () => {
    const headers = {
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '12s',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '1200',
      'x-ratelimit-reset-tokens': '1m30s',
    };
    expect(reportedBudgets([OPENAI_PROFILE], { headers, nowMs: NOW })).toEqual([
      { name: 'requests', remaining: 0, ms: 12_000, tokens: false, limit: 500 },
      { name: 'tokens', remaining: 1200, ms: 90_000, tokens: true, limit: 30_000 },
    ]);
  });
});

describe('ANTHROPIC_PROFILE', () => {
  it.each([
    [
      'enforced_spend_limit_reached',
      { kind: 'stop', reason: 'anthropic-spend-cap', until: 'next-utc-month' },
    ],
    ['billing_error', { kind: 'stop', reason: 'anthropic-billing' }],
    ['rate_limit_error', { kind: 'throttle', reason: 'anthropic-rate-limit' }],
    ['overloaded_error', { kind: 'retry', reason: 'anthropic-overloaded' }],
  ])('code %s', (code, verdict) => {
    expect(verdictOf(ANTHROPIC_PROFILE, code)).toEqual(verdict);
  });

  it('a 529 without a known code is overloaded: retry', () => {
    expect(structuredVerdict([ANTHROPIC_PROFILE], signals({ status: 529 }))).toEqual({
      kind: 'retry',
      reason: 'anthropic-overloaded',
    });
  });

  it('reads the four budgets, with limits; only requests is not a token budget', () => {
    const headers: Record<string, string> = {};
    for (const [name, limit, remaining, reset] of [
      ['requests', '50', '0', '2026-01-01T00:00:30Z'],
      ['tokens', '90000', '100', '2026-01-01T00:00:10Z'],
      ['input-tokens', '40000', '50', '2026-01-01T00:00:20Z'],
      ['output-tokens', '8000', '7', '2026-01-01T00:00:05Z'],
    ] as const) {
      headers[`anthropic-ratelimit-${name}-limit`] = limit;
      headers[`anthropic-ratelimit-${name}-remaining`] = remaining;
      headers[`anthropic-ratelimit-${name}-reset`] = reset;
    }
    expect(reportedBudgets([ANTHROPIC_PROFILE], { headers, nowMs: NOW })).toEqual([
      { name: 'requests', remaining: 0, ms: 30_000, tokens: false, limit: 50 },
      { name: 'tokens', remaining: 100, ms: 10_000, tokens: true, limit: 90_000 },
      { name: 'input-tokens', remaining: 50, ms: 20_000, tokens: true, limit: 40_000 },
      { name: 'output-tokens', remaining: 7, ms: 5000, tokens: true, limit: 8000 },
    ]);
  });
});

describe('STRIPE_PROFILE', () => {
  it.each([
    ['idempotency_error', 'fail', 'stripe-idempotency-error'],
    ['card_error', 'fail', 'stripe-card-error'],
    ['lock_timeout', 'retry', 'stripe-lock-timeout'],
    ['rate_limit', 'throttle', 'stripe-rate-limit'],
    ['api_error', 'retry', 'stripe-api-error'],
  ])('code %s is %s with reason %s', (code, kind, reason) => {
    expect(verdictOf(STRIPE_PROFILE, code)).toEqual({ kind, reason });
  });
});

describe('GITHUB_PROFILE', () => {
  const secondary =
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
  const inspect = (more: Partial<ProviderSignals>) =>
    GITHUB_PROFILE.inspect!(signals({ text: secondary, ...more }));
  const wait = { kind: 'throttle', reason: 'github-secondary-rate-limit', retryAfterMs: 60_000 };

  it('a secondary rate limit without retry-after waits a minute, on 403 and on 429', () => {
    expect(inspect({ status: 403 })).toEqual(wait);
    expect(inspect({ status: 429 })).toEqual(wait);
    expect(inspect({ status: 403, headers: { 'x-ratelimit-remaining': '4999' } })).toEqual(wait);
  });

  it('not on other statuses, nor with retry-after, nor when the primary budget is spent', () => {
    expect(inspect({ status: 500 })).toBeUndefined();
    expect(inspect({ status: 403, headers: { 'retry-after': '30' } })).toBeUndefined();
    expect(inspect({ status: 403, headers: { 'x-ratelimit-remaining': '0' } })).toBeUndefined();
    expect(inspect({ status: 403, text: 'Resource not accessible by integration' })).toBeUndefined();
  });

  it('reads the primary budget: epoch-seconds reset and limit', () => {
    const headers = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(NOW / 1000 + 600),
    };
    expect(reportedBudgets([GITHUB_PROFILE], { headers, nowMs: NOW })).toEqual([
      { name: 'requests', remaining: 0, ms: 600_000, tokens: false, limit: 5000 },
    ]);
  });
});

describe('resolveProfiles', () => {
  it('no user profiles: the built-ins, in order', () => {
    expect(DEFAULT_PROVIDER_PROFILES).toEqual([
      OPENAI_PROFILE,
      ANTHROPIC_PROFILE,
      GEMINI_PROFILE,
      GITHUB_PROFILE,
      STRIPE_PROFILE,
      IETF_RATELIMIT_PROFILE,
    ]);
    expect(resolveProfiles(undefined)).toBe(DEFAULT_PROVIDER_PROFILES);
    expect(resolveProfiles([])).toBe(DEFAULT_PROVIDER_PROFILES);
  });

  it('user profiles first; one named like a built-in replaces it', () => {
    const tavily: ProviderProfile = { name: 'tavily' };
    const openai: ProviderProfile = { name: 'openai', codes: {} };
    expect(resolveProfiles([tavily, openai]).map((p) => p.name)).toEqual([
      'tavily',
      'openai',
      'anthropic',
      'gemini',
      'github',
      'stripe',
      'ietf-ratelimit',
    ]);
    expect(resolveProfiles([tavily, openai])[1]).toBe(openai);
  });
});
