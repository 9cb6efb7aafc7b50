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
export {
  parseRetryAfterMs,
  parseRetryAfterMsHeader,
  parseResetMs,
  parseResetTimeMs,
  parseHttpDate,
  MAX_RETRY_AFTER_MS,
} from './classification/retry-after';
export {
  DEFAULT_PROVIDER_PROFILES,
  OPENAI_PROFILE,
  ANTHROPIC_PROFILE,
  GEMINI_PROFILE,
  GITHUB_PROFILE,
  STRIPE_PROFILE,
  IETF_RATELIMIT_PROFILE,
} from './classification/providers';
export type {
  ProviderProfile,
  CodeMeaning,
  RateLimitBudget,
  ReportedBudget,
  ProviderSignals,
  ProviderVerdict,
  ResetWindow,
} from './classification/providers/provider-profile';
export { validateProviderProfiles } from './classification/providers/validate-profiles';
export { boundedText, MAX_INSPECTED_CHARS } from './text/bounded-text';
export { backoffDelayMs, waitDelayMs, DEFAULT_BACKOFF, MAX_DELAY_MS } from './backoff/backoff';
export type { BackoffOptions, JitterSeed } from './backoff/backoff';
export { deterministicFraction, fnv1a32 } from './backoff/hash';
export { decideRetry } from './retry-decision/retry-decision';
export type { RetryDecision, DecisionContext } from './retry-decision/retry-decision';
export { FAILURE_TYPES, NON_RETRYABLE_FAILURE_TYPES, failureTypeOf } from './failure-types';
export type { FailureType } from './failure-types';
export { RetryPresets, activityOptions, validateActivityOptions } from './presets/retry-presets';
export type { RetryPreset, RetryPresetName, ActivityOptionsOverrides } from './presets/retry-presets';
export {
  redactSecrets,
  safeMessage,
  safeName,
  safeStackFrames,
  MAX_MESSAGE_LENGTH,
  REDACTED_FORMATS,
} from './text/redact';
export { HttpError, isHttpError } from './errors/http-error';
export type { HttpHeaders } from './errors/http-error';
export { InvalidOptionsError, isInvalidOptionsError } from './errors/invalid-options-error';
export { ResilienceTimeoutError, isResilienceTimeoutError } from './errors/timeout-error';
export type { TimeoutPhase } from './errors/timeout-error';
export { ResponseTooLargeError, isResponseTooLargeError } from './errors/response-too-large-error';
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
export { ATTRIBUTES, SPANS, METRICS, EXECUTION_SINK, prometheusName } from './telemetry-names';
export type { ExecutionSummary, ResilienceSinks } from './telemetry-names';
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
export {
  CIRCUIT_TRANSITIONS,
  DEFAULT_CIRCUIT_SETTINGS,
  IllegalCircuitTransitionError,
  assertTransition,
  circuitAfter,
  circuitAt,
  circuitByOperator,
  circuitGate,
  closedCircuit,
} from './containment/circuit';
export type { CircuitGate, CircuitSettings, CircuitState, CircuitStateName } from './containment/circuit';
export { aimdLimit, DEFAULT_AIMD } from './containment/concurrency-limit';
export type {
  AimdSettings,
  ConcurrencyLimit,
  LimitSample,
  LimitState,
} from './containment/concurrency-limit';
export { adjust, bucketOf, refill, syncBucket, take } from './containment/token-bucket';
export type { TokenBucket } from './containment/token-bucket';
export {
  admit,
  atRest,
  circuitNow,
  holdUntil,
  initialToolState,
  liveLeases,
  paceFromReport,
  pauseUntil,
  releaseHold,
  setCircuit,
  settle,
  slotsOf,
  spendResend,
} from './containment/tool-state';
export type {
  AdmissionVerdict,
  AdmitRequest,
  CallOutcome,
  Gate,
  BudgetReport,
  SettleRequest,
  ToolSettings,
  ToolState,
} from './containment/tool-state';
export { rateLimitReport } from './containment/rate-limit-report';
export type { RateLimitReport } from './containment/rate-limit-report';
export { analyzeFleet } from './forensics/fleet-report';
export type {
  FleetEntry,
  FleetOptions,
  FleetReport,
  SameErrorRetry,
  CostOutlier,
  StalledExecution,
} from './forensics/fleet-report';
export { renderFleetText, renderFleetHtml } from './forensics/render-fleet';
