/**
 * @module temporal-resilience/workflow
 *
 * Code safe inside the Temporal workflow sandbox: deterministic, no Node built-ins, no worker APIs.
 */
export { RetryPresets, activityOptions, validateActivityOptions } from '../src/presets/retry-presets';
export type { RetryPreset, RetryPresetName, ActivityOptionsOverrides } from '../src/presets/retry-presets';
export { FAILURE_TYPES, NON_RETRYABLE_FAILURE_TYPES } from '../src/failure-types';
export type { FailureType } from '../src/failure-types';
export type { RetryDecision } from '../src/retry-decision/retry-decision';
export { InvalidOptionsError, isInvalidOptionsError } from '../src/errors/invalid-options-error';
export { deriveIdempotencyKey, compensationStepName } from '../src/idempotency/idempotency-key';
export type { IdempotencyScope } from '../src/idempotency/idempotency-key';
export { step, currentStepName } from './step';
export { withFallback, currentRoute, ROUTE_BUDGET_SHARE_SPENT } from './fallback';
export type { FallbackRoute, FallbackOptions, Reroute } from './fallback';
export type { RouteHeader } from '../src/headers';
export { idempotencyKeyFor } from './idempotency';
export { Saga, sagaQuery, proxyCompensations, isOutcomeUnknown, SAGA_FAILURE_TYPES } from './saga';
export type { SagaOptions, SagaState, CompensationStatus } from './saga';
export { workflowCost, setBudget, workflowAttempts } from './cost';
export { ledgerQuery } from './workflow-ledger';
export type { LedgerSnapshot } from './workflow-ledger';
export type { AttemptRecord, AttemptChain } from '../src/attempts/attempt-record';
export type { Cost } from '../src/cost/cost';
