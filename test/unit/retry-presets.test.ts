import { describe, expect, it } from 'vitest';
import { activityOptions, InvalidOptionsError, RetryPresets } from '../../workflows';

describe('RetryPresets', () => {
  it.each(Object.keys(RetryPresets) as Array<keyof typeof RetryPresets>)(
    '%s is bounded and lists the terminal types',
    (name) => {
      const options = activityOptions(name);
      expect(options.retry?.maximumAttempts).toBeGreaterThan(0);
      expect(options.retry?.maximumInterval).toBeDefined();
      expect(options.retry?.nonRetryableErrorTypes).toEqual(
        expect.arrayContaining(['QuotaExhausted', 'PermanentFailure', 'BudgetExceeded']),
      );
      expect(options.startToCloseTimeout ?? options.scheduleToCloseTimeout).toBeDefined();
    },
  );

  it('llm expects long calls and sets a heartbeat timeout', () => {
    expect(activityOptions('llm').heartbeatTimeout).toBeDefined();
  });

  it('payment makes few attempts', () => {
    expect(activityOptions('payment').retry?.maximumAttempts).toBeLessThanOrEqual(3);
  });

  it('merges overrides field by field and keeps the non-retryable types', () => {
    const options = activityOptions('httpApi', {
      startToCloseTimeout: '5 seconds',
      retry: { maximumAttempts: 2, nonRetryableErrorTypes: ['MyError'] },
    });
    expect(options.startToCloseTimeout).toBe('5 seconds');
    expect(options.retry).toMatchObject({
      maximumAttempts: 2,
      initialInterval: '1 second',
      backoffCoefficient: 2,
    });
    expect(options.retry?.nonRetryableErrorTypes).toEqual(
      expect.arrayContaining(['MyError', 'QuotaExhausted', 'PermanentFailure', 'BudgetExceeded']),
    );
  });

  it.each([
    [
      { retry: { initialInterval: -1 } },
      'Invalid option retry.initialInterval (-1): must be a positive duration',
    ],
    [
      { retry: { maximumAttempts: 0 } },
      'Invalid option retry.maximumAttempts (0): must be a whole number ≥ 1',
    ],
    [{ retry: { maximumAttempts: 2.5 } }, 'Invalid option retry.maximumAttempts (2.5)'],
    [
      { retry: { backoffCoefficient: 0.5 } },
      'Invalid option retry.backoffCoefficient (0.5): must be a number ≥ 1',
    ],
    [
      { retry: { maximumInterval: '100ms' } },
      'Invalid option retry.maximumInterval ("100ms"): must not be shorter than retry.initialInterval',
    ],
    [{ startToCloseTimeout: 'soon' }, 'Invalid option startToCloseTimeout ("soon"): not a duration'],
    [{ heartbeatTimeout: 0 }, 'Invalid option heartbeatTimeout (0): must be a positive duration'],
  ])('rejects %j with a message naming the option', (overrides, message) => {
    expect(() => activityOptions('httpApi', overrides as never)).toThrow(InvalidOptionsError);
    expect(() => activityOptions('httpApi', overrides as never)).toThrow(message);
  });

  it('rejects an unknown preset name', () => {
    expect(() => activityOptions('fast' as never)).toThrow(
      'Invalid option preset ("fast"): unknown preset; use one of llm, httpApi',
    );
  });
});
