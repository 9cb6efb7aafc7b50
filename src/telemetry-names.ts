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
  /** A call answered CAP or WAIT (or failed while the circuit was open) and sent again from the worker. */
  callResent: 'call.resent',
  attemptCompleted: 'attempt.completed',
  retryScheduled: 'retry.scheduled',
  costRecorded: 'cost.recorded',
  circuitStateChange: 'circuit.state_change',
} as const;

/**
 * Metric instrument names (OpenTelemetry). In Prometheus each reads with `_` for `.` ({@link prometheusName}); the
 * dashboard and alert rules in `ops/` use only these, and a test checks it.
 */
export const METRICS = {
  /** Counter: attempts by tool, workflow type, outcome and class. */
  attempts: 'temporal_resilience.attempts',
  /** Histogram (ms): the delay the policy chose before the next attempt, by tool and class; buckets up to 6 h. */
  retryDelay: 'temporal_resilience.retry.delay',
  /** Counter (USD): cost recorded by attempts, failed ones included, by tool and workflow type. */
  costUsd: 'temporal_resilience.cost.usd',
  /** Counter: tokens by tool, workflow type and `gen_ai.token.type`. */
  tokens: 'temporal_resilience.tokens',
  /** Counter: attempts refused because the workflow's budget was spent. */
  budgetStops: 'temporal_resilience.budget.stops',
  /** Gauge: circuit state per tool, 0 closed, 1 half-open, 2 open. */
  circuitState: 'temporal_resilience.circuit.state',
  /** Counter: circuit state changes by tool and `to` state. */
  circuitTransitions: 'temporal_resilience.circuit.transitions',
  /** Histogram (USD): one workflow execution's cost from its ledger, recorded when it closes, by workflow type. */
  executionCost: 'temporal_resilience.execution.cost',
  /** Counter: quota holds placed on a tool (STOP: a long Retry-After or quota text), by tool and reason. */
  holds: 'temporal_resilience.holds',
  /** Gauge (s): how long each tool stays held shut from now; 0 when it is not held. */
  holdRemaining: 'temporal_resilience.hold.remaining',
  /** Counter: attempts that met an HTTP 429, by tool and the class it was given (WAIT, CAP, STOP). */
  rateLimited: 'temporal_resilience.rate_limited',
  /** Gauge: attempts running now in this worker, by tool and workflow type. */
  attemptsRunning: 'temporal_resilience.attempts.running',
  /**
   * Gauge (s): the longest time any running attempt went without progress (a heartbeat, or its start), by tool and
   * workflow type. A hung call grows it; the stall alert fires at 300.
   */
  attemptIdle: 'temporal_resilience.attempt.idle',
} as const;

/**
 * A metric's name in Prometheus, as `@opentelemetry/exporter-prometheus` writes it (the worker's `/metrics`): every
 * character outside `[a-zA-Z0-9_:]` becomes `_`. Counters then end in `_total`; histograms have `_bucket`, `_sum` and
 * `_count` series.
 */
export function prometheusName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_{2,}/g, '_');
}

/** Name of the workflow sink through which a closing workflow execution reports its ledger to the worker. */
export const EXECUTION_SINK = 'temporalResilience' as const;

/** What a workflow execution reports when it closes (its ledger's totals), for the per-execution cost histogram. */
export interface ExecutionSummary {
  /** How the workflow function ended: `completed`, `failed`, `cancelled` or `continued-as-new`. */
  readonly status: 'completed' | 'failed' | 'cancelled' | 'continued-as-new';
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Activity attempts the ledger saw (dropped records included). */
  readonly attempts: number;
}

/**
 * The workflow sink the plugin registers on the worker (`sinks` of `Worker.create`): a type alias, not an interface,
 * so that it satisfies the SDK's `Sinks` record type.
 */
export type ResilienceSinks = {
  [EXECUTION_SINK]: {
    /** The execution closed: its ledger's totals. Not called again on replay. */
    executionClosed(summary: ExecutionSummary): void;
  };
};
