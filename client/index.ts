/**
 * @module temporal-resilience/client
 *
 * Helpers for client processes (Node) that start workflows and read their outcomes.
 */
export { retryDecisionOf } from './retry-decision-of';
export type { RetryDecision } from '../src/retry-decision/retry-decision';
export { FAILURE_TYPES } from '../src/failure-types';
export { startExclusive, exclusiveScheduleOptions } from './start-exclusive';
export type { ExclusiveStart } from './start-exclusive';
