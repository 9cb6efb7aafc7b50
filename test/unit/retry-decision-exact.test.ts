// Pins the edges of decideRetry that decide whether and when a worker retries: maximumAttempts of exactly 1, the
// `calls` count replacing the attempt, a Retry-After honoured only for WAIT, the last representable nextNotBefore,
// and the 30-day ceiling of every delay.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decideRetry, MAX_DELAY_MS } from '../../src';

const seed = { workflowId: 'wf-1', activityId: '1', attempt: 1 };
const context = { ...seed, toolKey: 'chat', nowMs: Date.UTC(2026, 0, 1) };
const noJitter = { initialIntervalMs: 1000, jitterRatio: 0 };

describe('decideRetry, maximumAttempts and calls', () => {
  it('maximumAttempts 1 exhausts the first attempt', () => {
    const d = decideRetry({ kind: 'retry', reason: 'x' }, { ...context, maximumAttempts: 1 });
    expect(d.attemptsExhausted).toBe(true);
    expect(d.delayMs).toBeUndefined();
  });

  it('counts calls instead of attempts when given, from 1 on', () => {
    const d = decideRetry(
      { kind: 'retry', reason: 'x' },
      { ...context, attempt: 5, calls: 1, maximumAttempts: 3, backoff: noJitter },
    );
    expect(d.attemptsExhausted).toBeUndefined();
    expect(d.delayMs).toBe(1000);
  });

  it('falls back to the attempt when calls is 0', () => {
    const d = decideRetry(
      { kind: 'retry', reason: 'x' },
      { ...context, attempt: 3, calls: 0, maximumAttempts: 3 },
    );
    expect(d.attemptsExhausted).toBe(true);
  });
});

describe('decideRetry, Retry-After on a RETRY', () => {
  it('uses the backoff, not the Retry-After, when the verdict is not WAIT', () => {
    const d = decideRetry(
      { kind: 'retry', reason: 'x', retryAfterMs: 60_000 },
      { ...context, backoff: noJitter },
    );
    expect(d.delayMs).toBe(1000);
    expect(d.retryAfterMs).toBe(60_000);
  });
});

describe('decideRetry, nextNotBefore at the end of time', () => {
  it('is given when the next attempt falls exactly on the last valid date', () => {
    const d = decideRetry(
      { kind: 'retry', reason: 'x' },
      { ...context, nowMs: 8.64e15 - 1000, backoff: noJitter },
    );
    expect(d.delayMs).toBe(1000);
    expect(d.nextNotBefore).toBe('+275760-09-13T00:00:00.000Z');
  });

  it('is left out one millisecond later', () => {
    const d = decideRetry(
      { kind: 'retry', reason: 'x' },
      { ...context, nowMs: 8.64e15 - 999, backoff: noJitter },
    );
    expect(d.nextNotBefore).toBeUndefined();
  });
});

describe('MAX_DELAY_MS', () => {
  it('is 30 days and caps the backoff', () => {
    expect(MAX_DELAY_MS).toBe(2_592_000_000);
    expect(backoffDelayMs({ ...seed, attempt: 60 }, { ...noJitter, maximumIntervalMs: 1e12 })).toBe(
      2_592_000_000,
    );
  });
});
