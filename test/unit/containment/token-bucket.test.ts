import { describe, expect, it } from 'vitest';
import { adjust, bucketOf, rateLimitReport, refill, syncBucket, take, type TokenBucket } from '../../../src';

// The token bucket that paces requests and LLM tokens, with explicit `nowMs` (the store keeps it as JSON, so these
// are exact numbers, not timings), and the provider budgets it is synced to.

const NOW = 1_000_000;
/** 10 tokens, 2 per second. */
const full = () => bucketOf(10, 2, NOW);
const withTokens = (tokens: number, bucket: TokenBucket = full()): TokenBucket => ({ ...bucket, tokens });

describe('bucketOf and refill', () => {
  it('starts full, refilling at perSecond / 1000 per ms', () => {
    expect(full()).toEqual({ capacity: 10, tokens: 10, refillPerMs: 0.002, updatedAtMs: NOW });
  });

  it('refills by elapsed time x rate, never past the capacity', () => {
    expect(refill(withTokens(0), NOW + 1_500)).toEqual({ ...withTokens(3), updatedAtMs: NOW + 1_500 });
    expect(refill(withTokens(9), NOW + 60_000)).toEqual({ ...withTokens(10), updatedAtMs: NOW + 60_000 });
  });

  it('a clock read earlier than the last update (another worker behind) neither takes tokens nor moves time back', () => {
    const bucket = withTokens(4);
    expect(refill(bucket, NOW - 5_000)).toBe(bucket);
    expect(refill(bucket, NOW)).toBe(bucket);
  });
});

describe('take', () => {
  it('takes what is there, the last token included', () => {
    expect(take(withTokens(3), 3, NOW)).toEqual({ bucket: withTokens(0), waitMs: 0 });
    expect(take(withTokens(3), 1, NOW)).toEqual({ bucket: withTokens(2), waitMs: 0 });
  });

  it('otherwise takes nothing and says how long until the tokens are there, rounded up to the ms', () => {
    // 2.5 tokens missing at 0.002 per ms: 1 250 ms; 0.001 missing: 0.5 ms, waited as 1.
    expect(take(withTokens(0.5), 3, NOW)).toEqual({ bucket: withTokens(0.5), waitMs: 1_250 });
    expect(take(withTokens(2.999), 3, NOW).waitMs).toBe(1);
  });

  it('counts the tokens refilled since the last update before deciding', () => {
    expect(take(withTokens(0), 3, NOW + 1_500)).toEqual({
      bucket: { ...withTokens(0), updatedAtMs: NOW + 1_500 },
      waitMs: 0,
    });
  });

  it('a request larger than the capacity waits for a full bucket, then goes and leaves it in debt', () => {
    expect(take(withTokens(9), 25, NOW).waitMs).toBe(500);
    expect(take(full(), 25, NOW)).toEqual({ bucket: withTokens(-15), waitMs: 0 });
  });

  it('a bucket that does not refill makes a caller wait forever rather than divide by zero', () => {
    const stuck = { ...withTokens(0), refillPerMs: 0 };
    expect(take(stuck, 1, NOW)).toEqual({ bucket: stuck, waitMs: Infinity });
  });
});

describe('adjust', () => {
  it('gives back an over-estimate, up to the capacity', () => {
    expect(adjust(withTokens(4), 3, NOW)).toEqual(withTokens(7));
    expect(adjust(withTokens(8), 5, NOW)).toEqual(withTokens(10));
  });

  it('charges an under-estimate, into debt if need be', () => {
    expect(adjust(withTokens(2), -5, NOW)).toEqual(withTokens(-3));
  });

  it('refills first', () => {
    expect(adjust(withTokens(0), 1, NOW + 1_000)).toEqual({ ...withTokens(3), updatedAtMs: NOW + 1_000 });
  });
});

describe('syncBucket to what the provider reports', () => {
  const report = { limit: 100, remaining: 40, resetMs: 30_000 };

  it('keeps (1 - headroom) of the limit in reserve, and refills at the rate that is full at the reset', () => {
    expect(syncBucket(undefined, report, 0.9, 0, NOW)).toEqual({
      capacity: 90,
      tokens: 30, // 40 left, 10 kept for other clients
      refillPerMs: 60 / 30_000,
      updatedAtMs: NOW,
    });
  });

  it('counts calls in flight as already spent; a negative count is no count', () => {
    expect(syncBucket(undefined, report, 0.9, 5, NOW).tokens).toBe(25);
    expect(syncBucket(undefined, report, 0.9, -5, NOW).tokens).toBe(30);
  });

  it('never holds more than its capacity, and never less than one of capacity', () => {
    expect(syncBucket(undefined, { limit: 100, remaining: 100, resetMs: 0 }, 0.5, 0, NOW).tokens).toBe(50);
    expect(syncBucket(undefined, { limit: 1, remaining: 1, resetMs: 1_000 }, 0.1, 0, NOW).capacity).toBe(1);
  });

  it('with nothing spent or no reset time, keeps the rate it had, or refills its capacity per minute', () => {
    const fullReport = { limit: 100, remaining: 100, resetMs: 10_000 };
    expect(syncBucket(full(), fullReport, 1, 0, NOW).refillPerMs).toBe(0.002);
    expect(syncBucket(undefined, fullReport, 1, 0, NOW).refillPerMs).toBe(100 / 60_000);
    const noReset = { limit: 100, remaining: 50, resetMs: 0 };
    expect(syncBucket(full(), noReset, 1, 0, NOW).refillPerMs).toBe(0.002);
  });
});

describe('rateLimitReport: the budgets in a response', () => {
  const NOW_MS = Date.UTC(2026, 0, 1);

  it('reads OpenAI request and token budgets', () => {
    expect(
      rateLimitReport(
        {
          'x-ratelimit-limit-requests': '500',
          'x-ratelimit-remaining-requests': '499',
          'x-ratelimit-reset-requests': '120ms',
          'x-ratelimit-limit-tokens': '30000',
          'x-ratelimit-remaining-tokens': '29000',
          'x-ratelimit-reset-tokens': '2s',
        },
        NOW_MS,
      ),
    ).toEqual({
      requests: { remaining: 499, resetMs: 120, limit: 500 },
      tokens: { remaining: 29_000, resetMs: 2_000, limit: 30_000 },
    });
  });

  it('of several token budgets, paces by the one with the least left; output tokens do not pace requests', () => {
    const reset = new Date(NOW_MS + 10_000).toISOString();
    const headers = {
      'anthropic-ratelimit-tokens-remaining': '9000',
      'anthropic-ratelimit-tokens-reset': reset,
      'anthropic-ratelimit-input-tokens-remaining': '4000',
      'anthropic-ratelimit-input-tokens-reset': reset,
      'anthropic-ratelimit-output-tokens-remaining': '10',
      'anthropic-ratelimit-output-tokens-reset': reset,
    };
    expect(rateLimitReport(headers, NOW_MS)).toEqual({ tokens: { remaining: 4_000, resetMs: 10_000 } });
  });

  it('a response without budgets reports none', () => {
    expect(rateLimitReport({ 'content-type': 'application/json' }, NOW_MS)).toEqual({});
    expect(rateLimitReport(undefined, NOW_MS)).toEqual({});
  });
});
