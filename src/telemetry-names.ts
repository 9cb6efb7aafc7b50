/**
 * Span, event, attribute and metric names the toolkit emits. OpenTelemetry semantic conventions where they exist
 * (`error.type`, `http.response.status_code`, `gen_ai.*`); `temporal_resilience.*` for the toolkit's own.
 */
export const ATTRIBUTES = {
  workflowId: 'temporal.workflow.id',
  runId: 'temporal.workflow.run_id',
  workflowType: 'temporal.workflow.type',
  activityType: 'temporal.activity.type',
  activityId: 'temporal.activity.id',
  attempt: 'temporal.activity.attempt',
  toolKey: 'temporal_resilience.tool',
  step: 'temporal_resilience.step',
  /** The fallback route (`withFallback`) the attempt ran on. */
  route: 'temporal_resilience.route',
  idempotencyKey: 'temporal_resilience.idempotency_key',
  compensation: 'temporal_resilience.saga.compensation',
  outcome: 'temporal_resilience.attempt.outcome',
  kind: 'temporal_resilience.classification.kind',
  reason: 'temporal_resilience.classification.reason',
  delayMs: 'retry.delay_ms',
  nextNotBefore: 'retry.next_not_before',
  sideEffectUnknown: 'temporal_resilience.side_effect_unknown',
  circuitState: 'temporal_resilience.circuit.state',
  costUsd: 'temporal_resilience.cost.usd',
  errorType: 'error.type',
  httpStatus: 'http.response.status_code',
  model: 'gen_ai.request.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
} as const;

/** Span and event names. */
export const SPANS = {
  attempt: 'temporal-resilience.attempt',
  attemptStarted: 'attempt.started',
  attemptFailed: 'attempt.failed',
  attemptCompleted: 'attempt.completed',
  retryScheduled: 'retry.scheduled',
  costRecorded: 'cost.recorded',
  circuitStateChange: 'circuit.state_change',
} as const;

/** Metric instrument names. */
export const METRICS = {
  attempts: 'temporal_resilience.attempts',
  retryDelay: 'temporal_resilience.retry.delay',
  costUsd: 'temporal_resilience.cost.usd',
  tokens: 'temporal_resilience.tokens',
  budgetStops: 'temporal_resilience.budget.stops',
  circuitState: 'temporal_resilience.circuit.state',
  circuitTransitions: 'temporal_resilience.circuit.transitions',
} as const;
