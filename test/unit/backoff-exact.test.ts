import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  decideRetry,
  DEFAULT_BACKOFF,
  deterministicFraction,
  fnv1a32,
  waitDelayMs,
} from '../../src';
import { MIN_RETRY_DELAY_MS } from '../../src/retry-decision/retry-decision';

// Exact numbers for the backoff and decision arithmetic: "within ±20 %" lets a wrong coefficient or a lost jitter
// pass; these do not.

const seed = { workflowId: 'wf-1', activityId: '1', attempt: 1 };
const noJitter = { jitterRatio: 0 };

describe('fnv1a32 and deterministicFraction', () => {
  it('match the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('is a fraction in [0, 1) of the hash of the parts joined by NUL', () => {
    expect(deterministicFraction('wf', 1)).toBe(fnv1a32('wf\u00001') / 2 ** 32);
    expect(deterministicFraction('a', 'b')).not.toBe(deterministicFraction('ab'));
    for (let i = 0; i < 200; i++) {
      const f = deterministicFraction('wf', String(i), i);
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
  });
});

describe('backoffDelayMs without jitter', () => {
  it.each([
    [1, {}, 1_000],
    [2, {}, 2_000],
    [4, {}, 8_000],
    [3, { initialIntervalMs: 300, backoffCoefficient: 3 }, 2_700],
    [3, { initialIntervalMs: 300, backoffCoefficient: 1 }, 300],
    // The default maximum is 100 x the initial interval.
    [30, {}, 100_000],
    [30, { initialIntervalMs: 50 }, 5_000],
    [5, { maximumIntervalMs: 5_000 }, 5_000],
    // Attempt 0 or below counts as the first.
    [0, {}, 1_000],
    [-3, {}, 1_000],
  ])('attempt %i with %j waits %i ms', (attempt, options, expected) => {
    expect(backoffDelayMs({ ...seed, attempt }, { ...options, ...noJitter })).toBe(expected);
  });

  it('uses the documented defaults', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialIntervalMs: 1_000, backoffCoefficient: 2, jitterRatio: 0.2 });
  });

  it('never returns a negative delay, whatever the jitter ratio', () => {
    expect(backoffDelayMs(seed, { jitterRatio: 5 })).toBeGreaterThanOrEqual(0);
  });

  it('reads a NaN jitter ratio as the default one, never as no number', () => {
    expect(backoffDelayMs({ ...seed, attempt: 3 }, { jitterRatio: NaN, maximumIntervalMs: 7_000 })).toBe(
      backoffDelayMs({ ...seed, attempt: 3 }, { maximumIntervalMs: 7_000 }),
    );
  });
});

describe('backoffDelayMs with jitter', () => {
  it('spreads by exactly ±jitterRatio around the base', () => {
    for (const attempt of [1, 2, 3]) {
      const f = deterministicFraction('wf-1', '1', attempt);
      const base = 1000 * 2 ** (attempt - 1);
      expect(backoffDelayMs({ ...seed, attempt })).toBe(Math.round(base * (1 + 0.2 * (2 * f - 1))));
      expect(backoffDelayMs({ ...seed, attempt }, { jitterRatio: 0.5 })).toBe(
        Math.round(base * (1 + 0.5 * (2 * f - 1))),
      );
    }
  });

  it('depends on workflow, activity and attempt', () => {
    const d = backoffDelayMs({ ...seed, attempt: 2 });
    const others = [
      backoffDelayMs({ ...seed, attempt: 2, workflowId: 'wf-2' }),
      backoffDelayMs({ ...seed, attempt: 2, activityId: '2' }),
    ];
    expect(others.some((o) => o !== d)).toBe(true);
    expect(backoffDelayMs({ ...seed, attempt: 2 })).toBe(d);
  });
});

describe('waitDelayMs', () => {
  it('adds up to 10 % jitter, at most 1 s, never less than asked', () => {
    const f = deterministicFraction('wf-1', '1', 1);
    expect(waitDelayMs(5_000, seed)).toBe(Math.ceil(5_000 + 500 * f));
    expect(waitDelayMs(60_000, seed)).toBe(Math.ceil(60_000 + 1_000 * f));
    expect(waitDelayMs(0, seed)).toBe(0);
    expect(waitDelayMs(1, seed)).toBe(Math.ceil(1 + 0.1 * f));
  });
});

describe('decideRetry records', () => {
  // toStrictEqual: a field the decision does not know is absent, not present as undefined.
  const context = { ...seed, toolKey: 'chat', nowMs: Date.UTC(2026, 0, 1) };

  it('carries every field of a retryable decision', () => {
    const d = decideRetry(
      { kind: 'retry', reason: 'http-503', status: 503 },
      {
        ...context,
        attempt: 2,
        step: 'chat#1',
        idempotencyKey: 'k',
        sideEffectUnknown: true,
        maximumAttempts: 5,
      },
    );
    const delayMs = backoffDelayMs({ ...seed, attempt: 2 });
    expect(d).toStrictEqual({
      kind: 'retry',
      reason: 'http-503',
      failureType: 'TransientFailure',
      attempt: 2,
      toolKey: 'chat',
      status: 503,
      step: 'chat#1',
      idempotencyKey: 'k',
      sideEffectUnknown: true,
      nonRetryable: false,
      benign: false,
      delayMs,
      nextNotBefore: new Date(context.nowMs + delayMs).toISOString(),
    });
  });

  it('leaves out what it does not know', () => {
    const d = decideRetry({ kind: 'fail', reason: 'validation' }, { ...context, sideEffectUnknown: false });
    expect(d).toStrictEqual({
      kind: 'fail',
      reason: 'validation',
      failureType: 'PermanentFailure',
      attempt: 1,
      toolKey: 'chat',
      nonRetryable: true,
      benign: false,
    });
  });

  it('a STOP carries the provider wait but no delay', () => {
    expect(
      decideRetry({ kind: 'stop', reason: 'retry-after-long', retryAfterMs: 3_600_000 }, context),
    ).toStrictEqual({
      kind: 'stop',
      reason: 'retry-after-long',
      failureType: 'QuotaExhausted',
      attempt: 1,
      toolKey: 'chat',
      retryAfterMs: 3_600_000,
      nonRetryable: true,
      benign: false,
    });
  });

  it('a WAIT without Retry-After backs off; a zero Retry-After still waits the minimum', () => {
    expect(decideRetry({ kind: 'wait', reason: 'x' }, context).delayMs).toBe(backoffDelayMs(seed));
    const zero = decideRetry({ kind: 'wait', reason: 'retry-after', retryAfterMs: 0 }, context);
    expect(MIN_RETRY_DELAY_MS).toBe(1);
    expect(zero.delayMs).toBe(1);
    expect(zero.nextNotBefore).toBe(new Date(context.nowMs + 1).toISOString());
  });

  it('uses the given backoff options', () => {
    const backoff = { initialIntervalMs: 250, backoffCoefficient: 3, jitterRatio: 0 };
    expect(
      decideRetry({ kind: 'cap', reason: 'no-retry-after' }, { ...context, attempt: 3, backoff }).delayMs,
    ).toBe(2_250);
  });

  it('exhausted: the last allowed attempt (not an earlier one, not with unlimited attempts)', () => {
    const exhausted = decideRetry(
      { kind: 'wait', reason: 'retry-after', retryAfterMs: 10 },
      { ...context, attempt: 4, maximumAttempts: 3 },
    );
    expect(exhausted).toMatchObject({ attemptsExhausted: true, nonRetryable: false, benign: true });
    expect(exhausted.delayMs).toBeUndefined();
    const retryExhausted = decideRetry(
      { kind: 'retry', reason: 'x' },
      { ...context, attempt: 3, maximumAttempts: 3 },
    );
    expect(retryExhausted.benign).toBe(false);
    expect(
      decideRetry({ kind: 'retry', reason: 'x' }, { ...context, attempt: 2, maximumAttempts: 3 })
        .attemptsExhausted,
    ).toBeUndefined();
    expect(
      decideRetry({ kind: 'retry', reason: 'x' }, { ...context, attempt: 99, maximumAttempts: 0 })
        .attemptsExhausted,
    ).toBeUndefined();
  });
});
