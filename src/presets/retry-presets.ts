import type { ActivityOptions, RetryPolicy } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { InvalidOptionsError } from '../errors/invalid-options-error';
import { NON_RETRYABLE_FAILURE_TYPES } from '../failure-types';

/** A named bundle of activity options: timeouts and a bounded retry policy. */
export interface RetryPreset {
  readonly name: string;
  /** Why this preset exists, shown in docs. */
  readonly description: string;
  readonly options: ActivityOptions;
}

const nonRetryableErrorTypes = [...NON_RETRYABLE_FAILURE_TYPES];

/**
 * Activity option presets. Every one has a finite `maximumAttempts`, a `maximumInterval`, and lists
 * `QuotaExhausted`, `PermanentFailure` and `BudgetExceeded` as non-retryable.
 *
 * - `llm`: model calls: generous start-to-close, heartbeat for streamed responses, 6 attempts.
 * - `httpApi`: ordinary JSON APIs: 30 s per attempt, 8 attempts.
 * - `payment`: money moves: 3 attempts only, so an ambiguous failure reaches a human or a reconcile step instead of
 *   being repeated; pair it with idempotency keys.
 * - `idempotentRead`: reads that are safe to repeat: short timeouts, 10 quick attempts.
 * - `compensation`: saga compensations must finish: up to 1,000 attempts over about a week.
 */
export const RetryPresets = {
  llm: {
    name: 'llm',
    description: 'LLM calls: long responses, streamed with heartbeats, a few attempts.',
    options: {
      startToCloseTimeout: '2 minutes',
      heartbeatTimeout: '30 seconds',
      retry: {
        initialInterval: '2 seconds',
        backoffCoefficient: 2,
        maximumInterval: '2 minutes',
        maximumAttempts: 6,
        nonRetryableErrorTypes,
      },
    },
  },
  httpApi: {
    name: 'httpApi',
    description: 'Ordinary HTTP APIs.',
    options: {
      startToCloseTimeout: '30 seconds',
      retry: {
        initialInterval: '1 second',
        backoffCoefficient: 2,
        maximumInterval: '1 minute',
        maximumAttempts: 8,
        nonRetryableErrorTypes,
      },
    },
  },
  payment: {
    name: 'payment',
    description: 'Payments: few attempts; relies on idempotency keys and reconcile-before-retry.',
    options: {
      startToCloseTimeout: '30 seconds',
      retry: {
        initialInterval: '2 seconds',
        backoffCoefficient: 2,
        maximumInterval: '30 seconds',
        maximumAttempts: 3,
        nonRetryableErrorTypes,
      },
    },
  },
  idempotentRead: {
    name: 'idempotentRead',
    description: 'Reads that are safe to repeat.',
    options: {
      startToCloseTimeout: '10 seconds',
      retry: {
        initialInterval: '500 milliseconds',
        backoffCoefficient: 2,
        maximumInterval: '30 seconds',
        maximumAttempts: 10,
        nonRetryableErrorTypes,
      },
    },
  },
  compensation: {
    name: 'compensation',
    description: 'Saga compensations: keep trying for about a week.',
    options: {
      startToCloseTimeout: '1 minute',
      retry: {
        initialInterval: '1 second',
        backoffCoefficient: 2,
        maximumInterval: '10 minutes',
        maximumAttempts: 1000,
        nonRetryableErrorTypes,
      },
    },
  },
} as const satisfies Record<string, RetryPreset>;

/** Name of a built-in preset. */
export type RetryPresetName = keyof typeof RetryPresets;

/** Overrides for {@link activityOptions}: any activity option; `retry` is merged field by field. */
export type ActivityOptionsOverrides = Omit<ActivityOptions, 'retry'> & { readonly retry?: RetryPolicy };

/**
 * Full `ActivityOptions` for `proxyActivities`, from a preset and overrides. Validates the result, so a negative
 * interval or zero attempts fails here, at proxy creation, instead of at the first failure.
 *
 * @example
 * ```ts
 * const { chargeCard } = proxyActivities<typeof acts>(activityOptions('payment', { startToCloseTimeout: '1 minute' }));
 * ```
 * @throws {@link InvalidOptionsError} naming the option.
 */
export function activityOptions(
  preset: RetryPresetName | RetryPreset,
  overrides: ActivityOptionsOverrides = {},
): ActivityOptions {
  const base = typeof preset === 'string' ? RetryPresets[preset] : preset;
  if (base === undefined) {
    throw new InvalidOptionsError(
      'preset',
      `unknown preset; use one of ${Object.keys(RetryPresets).join(', ')}`,
      preset,
    );
  }
  const merged: ActivityOptions = {
    ...base.options,
    ...overrides,
    retry: {
      ...base.options.retry,
      ...overrides.retry,
      nonRetryableErrorTypes: unique([
        ...(base.options.retry?.nonRetryableErrorTypes ?? []),
        ...(overrides.retry?.nonRetryableErrorTypes ?? []),
      ]),
    },
  };
  validateActivityOptions(merged);
  return merged;
}

/**
 * Checks activity options the way Temporal would at the first failure, but now: positive timeouts and intervals,
 * `backoffCoefficient ≥ 1`, `maximumAttempts` a whole number ≥ 1, `maximumInterval ≥ initialInterval`.
 * @throws {@link InvalidOptionsError}
 */
export function validateActivityOptions(options: ActivityOptions): void {
  for (const key of [
    'startToCloseTimeout',
    'scheduleToCloseTimeout',
    'scheduleToStartTimeout',
    'heartbeatTimeout',
  ] as const) {
    if (options[key] !== undefined) positiveDuration(key, options[key]);
  }
  if (options.startToCloseTimeout === undefined && options.scheduleToCloseTimeout === undefined) {
    throw new InvalidOptionsError(
      'startToCloseTimeout',
      'set startToCloseTimeout or scheduleToCloseTimeout (Temporal requires one)',
    );
  }
  const retry = options.retry;
  if (!retry) return;
  const initial =
    retry.initialInterval === undefined
      ? 1000
      : positiveDuration('retry.initialInterval', retry.initialInterval);
  if (retry.maximumInterval !== undefined) {
    const maximum = positiveDuration('retry.maximumInterval', retry.maximumInterval);
    if (maximum < initial) {
      throw new InvalidOptionsError(
        'retry.maximumInterval',
        'must not be shorter than retry.initialInterval',
        retry.maximumInterval,
      );
    }
  }
  if (
    retry.backoffCoefficient !== undefined &&
    !(Number.isFinite(retry.backoffCoefficient) && retry.backoffCoefficient >= 1)
  ) {
    throw new InvalidOptionsError(
      'retry.backoffCoefficient',
      'must be a number ≥ 1 (1 keeps the interval constant)',
      retry.backoffCoefficient,
    );
  }
  if (
    retry.maximumAttempts !== undefined &&
    !(Number.isInteger(retry.maximumAttempts) && retry.maximumAttempts >= 1)
  ) {
    throw new InvalidOptionsError(
      'retry.maximumAttempts',
      'must be a whole number ≥ 1 (Temporal reads 0 as "retry forever"; bound by time with scheduleToCloseTimeout instead)',
      retry.maximumAttempts,
    );
  }
}

function positiveDuration(option: string, value: unknown): number {
  let ms: number;
  try {
    ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
  } catch {
    throw new InvalidOptionsError(
      option,
      'not a duration; use milliseconds or a string such as "30 seconds"',
      value,
    );
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InvalidOptionsError(option, 'must be a positive duration', value);
  }
  return ms;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
