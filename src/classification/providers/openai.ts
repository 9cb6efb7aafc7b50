import type { ProviderProfile } from './provider-profile';

/**
 * OpenAI and Azure OpenAI. Error codes from the error-codes guide; rate-limit headers
 * (`x-ratelimit-remaining-requests|tokens`, `x-ratelimit-reset-requests|tokens` as Go-style durations such as `12s`,
 * `1m30s`, `6ms`; Azure sends integer seconds) from the rate-limits guide. `retry-after-ms` and `x-should-retry` are
 * read for every provider by the classifier itself (the OpenAI SDKs honour them).
 */
export const OPENAI_PROFILE: ProviderProfile = {
  name: 'openai',
  docs: [
    'https://platform.openai.com/docs/guides/error-codes',
    'https://platform.openai.com/docs/guides/rate-limits',
    'https://learn.microsoft.com/azure/ai-foundry/openai/quotas-limits',
  ],
  codes: {
    // Billing and spend limits: nothing changes until someone pays or raises a limit.
    credit_balance_exhausted: { kind: 'stop', reason: 'openai-credit-balance-exhausted' },
    organization_spend_limit_exceeded: { kind: 'stop', reason: 'openai-spend-limit' },
    project_spend_limit_exceeded: { kind: 'stop', reason: 'openai-spend-limit' },
    organization_usage_limit_exceeded: { kind: 'stop', reason: 'openai-usage-limit' },
    // Kept as `quota-text`, the reason it always had, so alerts keyed on it keep working.
    insufficient_quota: { kind: 'stop', reason: 'quota-text' },
    // Ramping up too fast: fewer concurrent calls, then try again.
    slow_down: { kind: 'cap', reason: 'openai-slow-down' },
    server_is_overloaded: { kind: 'retry', reason: 'openai-server-overloaded' },
    engine_overloaded: { kind: 'retry', reason: 'openai-server-overloaded' },
    rate_limit_exceeded: { kind: 'throttle', reason: 'openai-rate-limit' },
    context_length_exceeded: { kind: 'fail', reason: 'context-length-exceeded' },
  },
  budgets: [
    {
      name: 'requests',
      remaining: 'x-ratelimit-remaining-requests',
      reset: 'x-ratelimit-reset-requests',
      limit: 'x-ratelimit-limit-requests',
      resetFormat: 'delay',
    },
    {
      name: 'tokens',
      remaining: 'x-ratelimit-remaining-tokens',
      reset: 'x-ratelimit-reset-tokens',
      limit: 'x-ratelimit-limit-tokens',
      resetFormat: 'delay',
      tokens: true,
    },
  ],
};
