/**
 * @module temporal-resilience/src
 *
 * The pure core: no Node built-ins, no worker or activity APIs. Safe in workers, activities, clients and the
 * workflow sandbox alike; time comes in as a parameter.
 */
export type { Classification, ClassKind } from './classification/classification';
export { CLASS_KINDS } from './classification/classification';
export { classifyHttp, normalizeHeaders, DEFAULT_MAX_WAIT_MS } from './classification/classify-http';
export type { ClassifyOptions, HttpResponseLike } from './classification/classify-http';
export { classifyError } from './classification/classify-error';
export { DEFAULT_QUOTA_PATTERNS, DEFAULT_CONTEXT_LENGTH_PATTERNS } from './classification/patterns';
export type { ClassificationRule } from './classification/rules';
export { parseRetryAfterMs, parseResetMs, MAX_RETRY_AFTER_MS } from './classification/retry-after';
export { backoffDelayMs, waitDelayMs, DEFAULT_BACKOFF } from './backoff/backoff';
export type { BackoffOptions, JitterSeed } from './backoff/backoff';
export { deterministicFraction, fnv1a32 } from './backoff/hash';
export { decideRetry } from './retry-decision/retry-decision';
export type { RetryDecision, DecisionContext } from './retry-decision/retry-decision';
export { FAILURE_TYPES, NON_RETRYABLE_FAILURE_TYPES, failureTypeOf } from './failure-types';
export type { FailureType } from './failure-types';
export { RetryPresets, activityOptions, validateActivityOptions } from './presets/retry-presets';
export type { RetryPreset, RetryPresetName, ActivityOptionsOverrides } from './presets/retry-presets';
export { redactSecrets, safeMessage, MAX_MESSAGE_LENGTH } from './text/redact';
export { HttpError, isHttpError } from './errors/http-error';
export type { HttpHeaders } from './errors/http-error';
export { InvalidOptionsError, isInvalidOptionsError } from './errors/invalid-options-error';
export { ResilienceTimeoutError, isResilienceTimeoutError } from './errors/timeout-error';
export type { TimeoutPhase } from './errors/timeout-error';
export {
  deriveIdempotencyKey,
  compensationStepName,
  IDEMPOTENCY_KEY_LENGTH,
} from './idempotency/idempotency-key';
export type { IdempotencyKeyParts, IdempotencyScope } from './idempotency/idempotency-key';
export { HEADERS } from './headers';
export type { BudgetHeader } from './headers';
export { addCost, priceEntry, ZERO_COST } from './cost/cost';
export type { Cost, CostEntry, PriceTable } from './cost/cost';
export {
  appendRecord,
  MAX_CHAIN_RECORDS,
  CHAIN_MARKER,
  hasChainMarker,
  isResultEnvelope,
} from './attempts/attempt-record';
export type { AttemptRecord, AttemptChain, ChainHeartbeat, ResultEnvelope } from './attempts/attempt-record';
export {
  CHAIN_METADATA_KEY,
  WIRE_MARKER,
  toChainWire,
  fromChainWire,
  isChainWire,
  isWireEnvelope,
  continueChain,
} from './attempts/chain-wire';
export type {
  ChainWire,
  WireRecord,
  WireEnvelope,
  ChainIdentity,
  ChainCarrierKind,
} from './attempts/chain-wire';
export { ATTRIBUTES, SPANS, METRICS } from './telemetry-names';
export { analyzeHistory } from './forensics/analyze-history';
export type {
  AnalyzeInput,
  JsonHistoryEvent,
  JsonPayload,
  PendingActivity,
} from './forensics/analyze-history';
export { renderText } from './forensics/render-text';
export { renderHtml, TIMELINE_COLOURS } from './forensics/render-html';
export type { InspectReport, StepReport, AttemptReport, Verdict } from './forensics/inspect-report';
