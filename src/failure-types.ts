import type { ClassKind } from './classification/classification';

/**
 * The `ApplicationFailure.type` of every failure the toolkit produces. Presets list the non-retryable ones from this
 * same object, so a type name cannot drift between the interceptor and the retry policy.
 */
export const FAILURE_TYPES = {
  wait: 'RateLimitWait',
  cap: 'RateLimitCap',
  stop: 'QuotaExhausted',
  retry: 'TransientFailure',
  fail: 'PermanentFailure',
  circuitOpen: 'CircuitOpen',
  budgetExceeded: 'BudgetExceeded',
} as const;

/** One of the {@link FAILURE_TYPES} values. */
export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];

/** Failure type for each class. */
export function failureTypeOf(kind: ClassKind): FailureType {
  return FAILURE_TYPES[kind];
}

/**
 * Types that must never be retried: listed in every preset's `nonRetryableErrorTypes`, as a second line of defence
 * behind the failure's own `nonRetryable` flag.
 */
export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureType[] = [
  FAILURE_TYPES.stop,
  FAILURE_TYPES.fail,
  FAILURE_TYPES.budgetExceeded,
];
