import { describe, expect, it } from 'vitest';
import {
  activityOptions,
  InvalidOptionsError,
  validateActivityOptions,
  type RetryPreset,
} from '../../workflows';

// The edges of option validation: what is accepted as well as what is refused, each refusal naming the option.

const ok = (options: Parameters<typeof validateActivityOptions>[0]) => () => validateActivityOptions(options);
const refusedOptions = (options: Parameters<typeof validateActivityOptions>[0], message: string) => {
  expect(ok(options)).toThrow(InvalidOptionsError);
  expect(ok(options)).toThrow(message);
};

const refused = refusedOptions;

describe('validateActivityOptions', () => {
  it('accepts either start-to-close or schedule-to-close, and no retry policy at all', () => {
    expect(ok({ startToCloseTimeout: 1 })).not.toThrow();
    expect(ok({ scheduleToCloseTimeout: '1 minute' })).not.toThrow();
    refused({}, 'Invalid option startToCloseTimeout: set startToCloseTimeout or scheduleToCloseTimeout');
    refused({ heartbeatTimeout: '1s' }, 'Invalid option startToCloseTimeout');
  });

  it.each([
    'startToCloseTimeout',
    'scheduleToCloseTimeout',
    'scheduleToStartTimeout',
    'heartbeatTimeout',
  ] as const)('checks %s as a positive duration', (key) => {
    const base = { startToCloseTimeout: '1 minute' } as const;
    // Computed keys widen the type; the values are what the test is about.
    const refused = (options: Record<string, unknown>, message: string) =>
      refusedOptions(options as never, message);
    refused({ ...base, [key]: 0 }, `Invalid option ${key} (0): must be a positive duration`);
    refused({ ...base, [key]: -5 }, `Invalid option ${key} (-5): must be a positive duration`);
    refused({ ...base, [key]: 'later' }, `Invalid option ${key} ("later"): not a duration; use milliseconds`);
    expect(ok({ ...base, [key]: '1 ms' } as never)).not.toThrow();
  });

  it('compares maximumInterval with initialInterval (1 s when unset)', () => {
    const base = { startToCloseTimeout: 1000 };
    expect(ok({ ...base, retry: { initialInterval: 500, maximumInterval: 500 } })).not.toThrow();
    refused(
      { ...base, retry: { initialInterval: 500, maximumInterval: 499 } },
      'Invalid option retry.maximumInterval (499): must not be shorter than retry.initialInterval',
    );
    expect(ok({ ...base, retry: { maximumInterval: 1000 } })).not.toThrow();
    refused({ ...base, retry: { maximumInterval: 999 } }, 'Invalid option retry.maximumInterval (999)');
    refused(
      { ...base, retry: { maximumInterval: 0 } },
      'Invalid option retry.maximumInterval (0): must be a positive duration',
    );
    refused(
      { ...base, retry: { initialInterval: 0 } },
      'Invalid option retry.initialInterval (0): must be a positive duration',
    );
  });

  it('accepts a coefficient of exactly 1 and one attempt; refuses infinities and fractions', () => {
    const base = { startToCloseTimeout: 1000 };
    expect(ok({ ...base, retry: { backoffCoefficient: 1, maximumAttempts: 1 } })).not.toThrow();
    refused(
      { ...base, retry: { backoffCoefficient: Infinity } },
      'Invalid option retry.backoffCoefficient (Infinity)',
    );
    refused({ ...base, retry: { backoffCoefficient: NaN } }, 'Invalid option retry.backoffCoefficient (NaN)');
    refused({ ...base, retry: { backoffCoefficient: 0.99 } }, '(1 keeps the interval constant)');
    refused({ ...base, retry: { maximumAttempts: -1 } }, 'Invalid option retry.maximumAttempts (-1)');
    refused(
      { ...base, retry: { maximumAttempts: 0 } },
      'Temporal reads 0 as "retry forever"; bound by time with scheduleToCloseTimeout instead',
    );
  });
});

describe('activityOptions', () => {
  it('takes a preset object as well as a name', () => {
    const preset: RetryPreset = {
      name: 'mine',
      description: 'test',
      options: {
        startToCloseTimeout: '5 seconds',
        retry: { maximumAttempts: 2, nonRetryableErrorTypes: ['A'] },
      },
    };
    expect(activityOptions(preset)).toEqual({
      startToCloseTimeout: '5 seconds',
      retry: { maximumAttempts: 2, nonRetryableErrorTypes: ['A'] },
    });
  });

  it('lists each non-retryable type once, the preset first', () => {
    const options = activityOptions('payment', {
      retry: { nonRetryableErrorTypes: ['CardDeclined', 'QuotaExhausted'] },
    });
    expect(options.retry?.nonRetryableErrorTypes).toEqual([
      'QuotaExhausted',
      'PermanentFailure',
      'BudgetExceeded',
      'CardDeclined',
    ]);
  });

  it('validates the merged result, not just the overrides', () => {
    expect(() => activityOptions('idempotentRead', { retry: { initialInterval: '1 minute' } })).toThrow(
      'Invalid option retry.maximumInterval ("30 seconds"): must not be shorter than retry.initialInterval',
    );
  });

  it('does not change the preset it starts from', () => {
    activityOptions('llm', { startToCloseTimeout: '1 second', retry: { maximumAttempts: 2 } });
    expect(activityOptions('llm').startToCloseTimeout).toBe('2 minutes');
    expect(activityOptions('llm').retry?.maximumAttempts).toBe(6);
  });
});
