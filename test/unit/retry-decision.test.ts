import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decideRetry, deterministicFraction, FAILURE_TYPES, waitDelayMs } from '../../src';

const seed = { workflowId: 'wf-1', activityId: '1', attempt: 1 };
const context = { ...seed, toolKey: 'chat', nowMs: Date.UTC(2026, 0, 1) };

describe('backoff', () => {
  it('grows exponentially within ±20% jitter and is the same for the same attempt', () => {
    const delays = [1, 2, 3, 4].map((attempt) =>
      backoffDelayMs({ ...seed, attempt }, { initialIntervalMs: 1000 }),
    );
    delays.forEach((d, i) => {
      const base = 1000 * 2 ** i;
      expect(d).toBeGreaterThanOrEqual(base * 0.8);
      expect(d).toBeLessThanOrEqual(base * 1.2);
    });
    expect(backoffDelayMs({ ...seed, attempt: 3 }, { initialIntervalMs: 1000 })).toBe(delays[2]);
  });

  it('equals the documented formula', () => {
    const f = deterministicFraction('wf-1', '1', 3);
    expect(backoffDelayMs({ ...seed, attempt: 3 }, { initialIntervalMs: 1000, jitterRatio: 0.2 })).toBe(
      Math.round(4000 * (1 + 0.2 * (2 * f - 1))),
    );
  });

  it('spreads parallel workflows apart', () => {
    const delays = new Set(
      Array.from({ length: 10 }, (_, i) =>
        backoffDelayMs({ workflowId: `wf-${i}`, activityId: '1', attempt: 2 }),
      ),
    );
    expect(delays.size).toBeGreaterThanOrEqual(8);
  });

  it('respects maximumInterval and huge attempts', () => {
    const d = backoffDelayMs(
      { ...seed, attempt: 5000 },
      { initialIntervalMs: 1000, maximumIntervalMs: 60_000, jitterRatio: 0 },
    );
    expect(d).toBe(60_000);
  });

  it('never waits less than the provider asked', () => {
    for (let i = 0; i < 50; i++) {
      const d = waitDelayMs(5000, { workflowId: `wf-${i}`, activityId: '1', attempt: 1 });
      expect(d).toBeGreaterThanOrEqual(5000);
      expect(d).toBeLessThanOrEqual(5500);
    }
  });
});

describe('decideRetry', () => {
  it('STOP and FAIL are non-retryable with no delay', () => {
    for (const kind of ['stop', 'fail'] as const) {
      const d = decideRetry({ kind, reason: 'x' }, context);
      expect(d).toMatchObject({
        nonRetryable: true,
        failureType: kind === 'stop' ? FAILURE_TYPES.stop : FAILURE_TYPES.fail,
      });
      expect(d.delayMs).toBeUndefined();
    }
  });

  it('WAIT delays by Retry-After plus jitter, benign, with nextNotBefore', () => {
    const d = decideRetry({ kind: 'wait', reason: 'retry-after', retryAfterMs: 5000 }, context);
    expect(d.failureType).toBe('RateLimitWait');
    expect(d.benign).toBe(true);
    expect(d.delayMs).toBe(waitDelayMs(5000, seed));
    expect(d.nextNotBefore).toBe(new Date(context.nowMs + d.delayMs!).toISOString());
  });

  it('RETRY and CAP back off', () => {
    const d = decideRetry({ kind: 'cap', reason: 'no-retry-after' }, { ...context, attempt: 2 });
    expect(d).toMatchObject({ failureType: 'RateLimitCap', nonRetryable: false, benign: false });
    expect(d.delayMs).toBe(backoffDelayMs({ ...seed, attempt: 2 }));
  });

  it('marks the last allowed attempt as exhausted, without a next time', () => {
    const d = decideRetry(
      { kind: 'retry', reason: 'http-503' },
      { ...context, attempt: 3, maximumAttempts: 3 },
    );
    expect(d.attemptsExhausted).toBe(true);
    expect(d.nextNotBefore).toBeUndefined();
  });
});
