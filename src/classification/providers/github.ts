import type { ProviderProfile } from './provider-profile';

/** GitHub says to wait at least this long after a secondary rate limit that states no wait. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;

/**
 * GitHub REST API. A primary rate limit is a 403 or 429 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` in
 * epoch seconds (WAIT until then, or STOP when that is beyond `maxWaitMs`); a secondary limit is a 403 or 429 with
 * `retry-after`, or, without one, a message about a secondary rate limit (wait at least a minute). Never a permanent
 * FAIL, which is how a plain 403 reads.
 */
export const GITHUB_PROFILE: ProviderProfile = {
  name: 'github',
  docs: [
    'https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api',
    'https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately',
  ],
  budgets: [
    {
      name: 'requests',
      remaining: 'x-ratelimit-remaining',
      reset: 'x-ratelimit-reset',
      limit: 'x-ratelimit-limit',
      resetFormat: 'auto',
    },
  ],
  inspect: (signals) =>
    (signals.status === 403 || signals.status === 429) &&
    signals.headers['retry-after'] === undefined &&
    signals.headers['x-ratelimit-remaining'] !== '0' &&
    /secondary rate limit/i.test(signals.text)
      ? { kind: 'throttle', reason: 'github-secondary-rate-limit', retryAfterMs: SECONDARY_LIMIT_WAIT_MS }
      : undefined,
};
