import type { RetryDecision } from '../../src';

/** A retryable decision for a 503 on `chat` (attempt 1, 1.5 s delay), with `more` on top: the failure-mapping input. */
export const decision = (more: Partial<RetryDecision> = {}): RetryDecision => ({
  kind: 'retry',
  reason: 'http-503',
  failureType: 'TransientFailure',
  nonRetryable: false,
  benign: false,
  attempt: 1,
  toolKey: 'chat',
  delayMs: 1500,
  nextNotBefore: '2026-01-01T00:00:01.500Z',
  ...more,
});
