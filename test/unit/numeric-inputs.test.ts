import { describe, expect, it } from 'vitest';
import { backoffDelayMs, MAX_DELAY_MS, waitDelayMs } from '../../src/backoff/backoff';
import { addCost, priceEntry, ZERO_COST } from '../../src/cost/cost';
import { decideRetry, type DecisionContext } from '../../src/retry-decision/retry-decision';

const seed = { workflowId: 'wf', activityId: 'a1', attempt: 3 };
const BAD = [NaN, -1, Infinity, -Infinity] as const;
const isDelay = (ms: number) => Number.isInteger(ms) && ms >= 0 && ms <= MAX_DELAY_MS;

describe('backoffDelayMs clamps bad inputs instead of returning NaN or throwing', () => {
  const plain = backoffDelayMs(seed, { jitterRatio: 0 }); // 1000 × 2² = 4000

  it('is the documented formula for good inputs', () => {
    expect(plain).toBe(4000);
    expect(backoffDelayMs(seed, { initialIntervalMs: 100, backoffCoefficient: 3, jitterRatio: 0 })).toBe(900);
  });

  it.each(BAD)('initialIntervalMs %s counts as absent', (bad) => {
    expect(backoffDelayMs(seed, { initialIntervalMs: bad, jitterRatio: 0 })).toBe(plain);
  });

  it.each([...BAD, 0.5])('backoffCoefficient %s counts as absent', (bad) => {
    expect(backoffDelayMs(seed, { backoffCoefficient: bad, jitterRatio: 0 })).toBe(plain);
  });

  it.each(BAD)('maximumIntervalMs %s counts as absent', (bad) => {
    expect(backoffDelayMs(seed, { maximumIntervalMs: bad, jitterRatio: 0 })).toBe(plain);
  });

  it('jitterRatio: NaN is the default, others are clamped into [0, 1)', () => {
    expect(backoffDelayMs(seed, { jitterRatio: NaN })).toBe(backoffDelayMs(seed));
    expect(backoffDelayMs(seed, { jitterRatio: -5 })).toBe(plain);
    const wild = backoffDelayMs(seed, { jitterRatio: Infinity });
    expect(wild).toBeGreaterThanOrEqual(0);
    expect(wild).toBeLessThan(2 * plain);
  });

  it.each([NaN, 0, -3, -Infinity])('attempt %s counts as 1', (attempt) => {
    expect(backoffDelayMs({ ...seed, attempt }, { jitterRatio: 0 })).toBe(1000);
  });

  it('rounds a fractional attempt down and stays within the longest delay for huge ones', () => {
    expect(backoffDelayMs({ ...seed, attempt: 3.7 }, { jitterRatio: 0 })).toBe(plain);
    const huge = backoffDelayMs({ ...seed, attempt: Infinity }, { maximumIntervalMs: 1e300, jitterRatio: 0 });
    expect(huge).toBe(1000); // Infinity is not a valid attempt: 1
    const far = backoffDelayMs({ ...seed, attempt: 1e9 }, { maximumIntervalMs: 1e300, jitterRatio: 0 });
    expect(far).toBe(MAX_DELAY_MS);
  });
});

describe('waitDelayMs', () => {
  it('never waits less than asked, for good inputs', () => {
    const ms = waitDelayMs(7000, seed);
    expect(ms).toBeGreaterThanOrEqual(7000);
    expect(ms).toBeLessThanOrEqual(7700);
  });

  it.each([NaN, -1, -Infinity])('%s counts as 0', (bad) => {
    expect(waitDelayMs(bad, seed)).toBe(0);
  });

  it('clamps Infinity and absurd values to the longest delay', () => {
    expect(waitDelayMs(Infinity, seed)).toBe(MAX_DELAY_MS);
    expect(waitDelayMs(1e20, seed)).toBe(MAX_DELAY_MS);
    expect(isDelay(waitDelayMs(7000, { ...seed, attempt: NaN }))).toBe(true);
  });
});

describe('decideRetry never throws on bad numbers', () => {
  const context: DecisionContext = {
    workflowId: 'wf',
    activityId: 'a1',
    attempt: 2,
    toolKey: 't',
    nowMs: Date.UTC(2026, 0, 1),
  };

  it.each([NaN, Infinity, -Infinity, 1e20])(
    'nowMs %s leaves nextNotBefore out but decides the delay',
    (nowMs) => {
      const decision = decideRetry({ kind: 'retry', reason: 'x' }, { ...context, nowMs });
      expect(decision.nextNotBefore).toBeUndefined();
      expect(isDelay(decision.delayMs!)).toBe(true);
    },
  );

  it.each([NaN, 0, -2])('attempt %s counts as 1', (attempt) => {
    expect(decideRetry({ kind: 'retry', reason: 'x' }, { ...context, attempt }).attempt).toBe(1);
  });

  it.each([NaN, -1, 0, Infinity])('maximumAttempts %s is unlimited', (maximumAttempts) => {
    const decision = decideRetry(
      { kind: 'retry', reason: 'x' },
      { ...context, attempt: 50, maximumAttempts },
    );
    expect(decision.attemptsExhausted).toBeUndefined();
    expect(decision.delayMs).toBeGreaterThan(0);
  });

  it('a fractional maximumAttempts is rounded down', () => {
    const decision = decideRetry(
      { kind: 'retry', reason: 'x' },
      { ...context, attempt: 2, maximumAttempts: 2.9 },
    );
    expect(decision.attemptsExhausted).toBe(true);
  });

  it.each([NaN, -5])('a WAIT with retryAfterMs %s backs off as if none was given', (retryAfterMs) => {
    const decision = decideRetry({ kind: 'wait', reason: 'x', retryAfterMs }, context);
    expect(decision.retryAfterMs).toBeUndefined();
    expect(decision.delayMs).toBe(decideRetry({ kind: 'wait', reason: 'x' }, context).delayMs);
  });

  it('a WAIT with an infinite retryAfterMs waits the longest delay, recorded as a finite number', () => {
    const decision = decideRetry({ kind: 'wait', reason: 'x', retryAfterMs: Infinity }, context);
    expect(decision.retryAfterMs).toBe(MAX_DELAY_MS);
    expect(decision.delayMs).toBe(MAX_DELAY_MS);
    expect(decision.nextNotBefore).toBe(new Date(context.nowMs + MAX_DELAY_MS).toISOString());
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
  });
});

describe('cost helpers count bad parts as 0 and stay finite', () => {
  it.each([NaN, -1, Infinity, -Infinity, '5' as unknown as number])(
    'a part %s of either side counts as 0',
    (bad) => {
      const good = { inputTokens: 10, outputTokens: 5, usd: 0.25 };
      expect(addCost(good, { inputTokens: bad, outputTokens: bad, usd: bad })).toEqual(good);
      expect(addCost({ inputTokens: bad, outputTokens: bad, usd: bad }, good)).toEqual(good);
    },
  );

  it('saturates instead of overflowing to Infinity', () => {
    const sum = addCost(
      { inputTokens: Number.MAX_VALUE, outputTokens: 0, usd: Number.MAX_VALUE },
      {
        inputTokens: Number.MAX_VALUE,
        usd: Number.MAX_VALUE,
      },
    );
    expect(sum.inputTokens).toBe(Number.MAX_VALUE);
    expect(Number.isFinite(sum.usd)).toBe(true);
  });

  it('prices tokens by the table, ignoring bad counts and bad prices', () => {
    const prices = {
      m: { inputPerMillion: 2, outputPerMillion: 10 },
      bad: { inputPerMillion: NaN, outputPerMillion: -1 },
    };
    expect(priceEntry({ model: 'm', inputTokens: 1_000_000, outputTokens: 100_000 }, prices)).toEqual({
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      usd: 3,
    });
    expect(priceEntry({ model: 'm', inputTokens: NaN, outputTokens: -5 }, prices)).toEqual(ZERO_COST);
    expect(priceEntry({ model: 'bad', inputTokens: 1_000_000, outputTokens: 1_000_000 }, prices).usd).toBe(0);
    expect(priceEntry({ model: 'm', inputTokens: Number.MAX_VALUE, outputTokens: 0 }, prices).usd).toBe(0);
    expect(priceEntry({ usd: Infinity })).toEqual(ZERO_COST);
    // A model name that is an Object.prototype key is not a price.
    expect(priceEntry({ model: 'constructor', inputTokens: 1_000_000 }, prices).usd).toBe(0);
  });
});
