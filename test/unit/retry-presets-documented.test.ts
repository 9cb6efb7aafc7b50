import { msToNumber } from '@temporalio/common/lib/time';
import { describe, expect, it } from 'vitest';
import { activityOptions, RetryPresets, type RetryPresetName } from '../../workflows';

/**
 * The presets' documented values (README "Retry presets" table and the TSDoc of `RetryPresets`), in milliseconds.
 * A preset is a promise to its users: `llm` making 100 attempts instead of 6 is a runaway bill, so every number is
 * pinned here, not just "bounded".
 */
const DOCUMENTED: Record<
  RetryPresetName,
  {
    startToCloseMs: number;
    heartbeatMs: number | undefined;
    maximumAttempts: number;
    initialIntervalMs: number;
    backoffCoefficient: number;
    maximumIntervalMs: number;
  }
> = {
  llm: {
    startToCloseMs: 120_000,
    heartbeatMs: 30_000,
    maximumAttempts: 6,
    initialIntervalMs: 2_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 120_000,
  },
  httpApi: {
    startToCloseMs: 30_000,
    heartbeatMs: undefined,
    maximumAttempts: 8,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
  },
  payment: {
    startToCloseMs: 30_000,
    heartbeatMs: undefined,
    maximumAttempts: 3,
    initialIntervalMs: 2_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 30_000,
  },
  idempotentRead: {
    startToCloseMs: 10_000,
    heartbeatMs: undefined,
    maximumAttempts: 10,
    initialIntervalMs: 500,
    backoffCoefficient: 2,
    maximumIntervalMs: 30_000,
  },
  compensation: {
    startToCloseMs: 60_000,
    heartbeatMs: undefined,
    maximumAttempts: 1000,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 600_000,
  },
};

const ms = (value: unknown) =>
  value === undefined ? undefined : msToNumber(value as Parameters<typeof msToNumber>[0]);

describe('RetryPresets hold their documented values', () => {
  it('documents exactly the presets that exist', () => {
    expect(Object.keys(RetryPresets).sort()).toEqual(Object.keys(DOCUMENTED).sort());
  });

  it.each(Object.entries(DOCUMENTED) as Array<[RetryPresetName, (typeof DOCUMENTED)[RetryPresetName]]>)(
    '%s',
    (name, documented) => {
      const options = activityOptions(name);
      expect({
        startToCloseMs: ms(options.startToCloseTimeout),
        heartbeatMs: ms(options.heartbeatTimeout),
        maximumAttempts: options.retry?.maximumAttempts,
        initialIntervalMs: ms(options.retry?.initialInterval),
        backoffCoefficient: options.retry?.backoffCoefficient,
        maximumIntervalMs: ms(options.retry?.maximumInterval),
      }).toEqual(documented);
      expect(options.scheduleToCloseTimeout).toBeUndefined();
      expect(RetryPresets[name].name).toBe(name);
      // Exactly the terminal types, once each: a retryable type listed here would end retries too early.
      expect([...(options.retry?.nonRetryableErrorTypes ?? [])].sort()).toEqual(
        ['BudgetExceeded', 'PermanentFailure', 'QuotaExhausted'].sort(),
      );
    },
  );

  it('compensation retries for about a week at its maximum interval', () => {
    const { retry } = activityOptions('compensation');
    const weekMs = 7 * 24 * 3600 * 1000;
    const spanMs = (retry!.maximumAttempts! - 1) * ms(retry!.maximumInterval)!;
    expect(spanMs).toBeGreaterThanOrEqual(weekMs * 0.9);
    expect(spanMs).toBeLessThanOrEqual(weekMs * 1.1);
  });
});
