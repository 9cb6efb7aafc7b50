/**
 * @module temporal-resilience/activity
 *
 * Helpers called inside activities (Node).
 */
export { resilientFetch, RESILIENT_FETCH_DEFAULTS, MAX_ERROR_BODY_BYTES } from './resilient-fetch';
export type { ResilientFetchInit } from './resilient-fetch';
export { ResilientResponse } from './resilient-response';
export { ResponseTooLargeError, isResponseTooLargeError } from '../src/errors/response-too-large-error';
export { currentAttemptContext } from './attempt-context';
export type { AttemptContext } from './attempt-context';
export { HttpError, isHttpError } from '../src/errors/http-error';
export { ResilienceTimeoutError, isResilienceTimeoutError } from '../src/errors/timeout-error';
export { idempotencyKey } from './idempotency-key';
export {
  IdempotencyKeyUnavailableError,
  isIdempotencyKeyUnavailableError,
} from './idempotency-key-unavailable-error';
export { withReconcile } from './with-reconcile';
export type { ReconcileOutcome } from './with-reconcile';
export { recordCost } from './record-cost';
export { heartbeat, heartbeatDetails } from './heartbeat';
