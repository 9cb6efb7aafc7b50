import type { ProviderProfile } from './provider-profile';

/**
 * Stripe. Error codes and types from the API errors reference: `rate_limit` (429, back off), `lock_timeout` (retry),
 * `api_error` (Stripe's side, retry), `card_error` and `idempotency_error` (never retry). `Stripe-Should-Retry` is
 * read by the classifier itself, like `x-should-retry`.
 */
export const STRIPE_PROFILE: ProviderProfile = {
  name: 'stripe',
  docs: [
    'https://docs.stripe.com/error-codes',
    'https://docs.stripe.com/api/errors',
    'https://docs.stripe.com/rate-limits',
    'https://docs.stripe.com/error-low-level#server-errors',
  ],
  codes: {
    idempotency_error: { kind: 'fail', reason: 'stripe-idempotency-error' },
    card_error: { kind: 'fail', reason: 'stripe-card-error' },
    lock_timeout: { kind: 'retry', reason: 'stripe-lock-timeout' },
    rate_limit: { kind: 'throttle', reason: 'stripe-rate-limit' },
    api_error: { kind: 'retry', reason: 'stripe-api-error' },
  },
};
