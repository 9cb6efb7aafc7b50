import type { Info } from '@temporalio/activity';
import type { Attributes, Counter, Histogram, Span } from '@opentelemetry/api';
import type { AttemptChain, AttemptRecord } from '../src/attempts/attempt-record';
import type { Cost } from '../src/cost/cost';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import { ATTRIBUTES, METRICS, SPANS } from '../src/telemetry-names';
import type { AttemptObservation, AttemptTelemetry } from './attempt-telemetry';
import type { CircuitSnapshot, CircuitState, CircuitStateChange } from './tool-circuit';
// The optional peer, loaded on first use (see open-telemetry-api.ts).
import { context, metrics, SpanKind, SpanStatusCode, trace } from './open-telemetry-api';

const INSTRUMENTATION = 'temporal-resilience';
const CIRCUIT_LEVEL: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

interface Instruments {
  attempts: Counter;
  retryDelay: Histogram;
  costUsd: Counter;
  tokens: Counter;
  budgetStops: Counter;
  circuitTransitions: Counter;
}

/**
 * Reports attempts and circuits through the global OpenTelemetry API: whatever providers the user registered
 * (e.g. with `@opentelemetry/sdk-node`), or the API's no-ops when there are none.
 *
 * Each attempt is a span under the active one: under `@temporalio/interceptors-opentelemetry`'s activity span when
 * that plugin is registered before this one. Spans carry ids, classification, delays and cost, never request bodies,
 * headers or raw error messages.
 */
export class OpenTelemetryAttemptTelemetry implements AttemptTelemetry {
  private instruments: Instruments | undefined;

  constructor(private readonly circuits: () => Record<string, CircuitSnapshot>) {}

  startAttempt(
    info: Info,
    attempt: Omit<AttemptRecord, 'outcome'>,
    previous: AttemptChain,
  ): AttemptObservation {
    const instruments = this.meterInstruments();
    const common: Attributes = {
      [ATTRIBUTES.toolKey]: attempt.toolKey,
      [ATTRIBUTES.workflowType]: info.workflowType ?? '',
    };
    const span: Span = trace.getTracer(INSTRUMENTATION).startSpan(
      `${SPANS.attempt} ${info.activityType}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          [ATTRIBUTES.workflowId]: info.workflowExecution?.workflowId ?? '',
          [ATTRIBUTES.runId]: info.workflowExecution?.runId ?? '',
          [ATTRIBUTES.workflowType]: info.workflowType ?? '',
          [ATTRIBUTES.activityType]: info.activityType,
          [ATTRIBUTES.activityId]: info.activityId,
          [ATTRIBUTES.attempt]: info.attempt,
          [ATTRIBUTES.toolKey]: attempt.toolKey,
          ...(attempt.step !== undefined ? { [ATTRIBUTES.step]: attempt.step } : {}),
          ...(attempt.idempotencyKey !== undefined
            ? { [ATTRIBUTES.idempotencyKey]: attempt.idempotencyKey }
            : {}),
          ...(attempt.step?.startsWith('compensate:') ? { [ATTRIBUTES.compensation]: true } : {}),
        },
      },
      context.active(),
    );
    span.addEvent(SPANS.attemptStarted, {
      [ATTRIBUTES.attempt]: info.attempt,
      'temporal_resilience.previous_attempts': previous.records.length + previous.dropped,
    });
    let attemptCost: Cost | undefined;
    return {
      run: (fn) => context.with(trace.setSpan(context.active(), span), fn),
      costRecorded: (cost, model) => {
        attemptCost = cost;
        span.addEvent(SPANS.costRecorded, costAttributes(cost, model));
        if (model !== undefined) span.setAttribute(ATTRIBUTES.model, model);
        instruments.costUsd.add(cost.usd, common);
        instruments.tokens.add(cost.inputTokens, { ...common, 'gen_ai.token.type': 'input' });
        instruments.tokens.add(cost.outputTokens, { ...common, 'gen_ai.token.type': 'output' });
      },
      ended: (record, decision, circuit) => {
        span.setAttributes({
          [ATTRIBUTES.outcome]: record.outcome,
          [ATTRIBUTES.circuitState]: circuit,
          ...(record.cost
            ? costAttributes(record.cost, undefined)
            : attemptCost
              ? costAttributes(attemptCost, undefined)
              : {}),
        });
        instruments.attempts.add(1, {
          ...common,
          [ATTRIBUTES.outcome]: record.outcome,
          [ATTRIBUTES.kind]: record.kind ?? 'none',
        });
        if (decision) this.failed(span, instruments, common, decision);
        else if (record.outcome === 'completed') span.addEvent(SPANS.attemptCompleted);
        else span.setStatus({ code: SpanStatusCode.ERROR, message: record.reason ?? record.outcome });
        span.end();
      },
    };
  }

  circuitChanged(change: CircuitStateChange): void {
    this.meterInstruments().circuitTransitions.add(1, {
      [ATTRIBUTES.toolKey]: change.toolKey,
      to: change.to,
    });
    trace.getActiveSpan()?.addEvent(SPANS.circuitStateChange, {
      [ATTRIBUTES.toolKey]: change.toolKey,
      from: change.from,
      to: change.to,
      failures: change.failures,
      calls: change.calls,
    });
  }

  private failed(span: Span, instruments: Instruments, common: Attributes, decision: RetryDecision): void {
    const record: Attributes = {
      [ATTRIBUTES.kind]: decision.kind,
      [ATTRIBUTES.reason]: decision.reason,
      [ATTRIBUTES.errorType]: decision.failureType,
      [ATTRIBUTES.attempt]: decision.attempt,
      ...(decision.status !== undefined ? { [ATTRIBUTES.httpStatus]: decision.status } : {}),
      ...(decision.sideEffectUnknown ? { [ATTRIBUTES.sideEffectUnknown]: true } : {}),
    };
    span.setAttributes(record);
    span.addEvent(SPANS.attemptFailed, record);
    if (decision.delayMs !== undefined && decision.nextNotBefore !== undefined && !decision.nonRetryable) {
      const scheduled = {
        [ATTRIBUTES.delayMs]: decision.delayMs,
        [ATTRIBUTES.nextNotBefore]: decision.nextNotBefore,
      };
      span.setAttributes(scheduled);
      span.addEvent(SPANS.retryScheduled, { ...record, ...scheduled });
      instruments.retryDelay.record(decision.delayMs, { ...common, [ATTRIBUTES.kind]: decision.kind });
    }
    if (decision.failureType === 'BudgetExceeded') instruments.budgetStops.add(1, common);
    // Expected throttling is not an error; everything else is, named by its failure type only (no raw message).
    if (!decision.benign)
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${decision.failureType} (${decision.reason})` });
  }

  private meterInstruments(): Instruments {
    // Created on first use, not at plugin creation: the user's MeterProvider may be registered after the plugin.
    if (this.instruments) return this.instruments;
    const meter = metrics.getMeter(INSTRUMENTATION);
    meter
      .createObservableGauge(METRICS.circuitState, {
        description: 'Circuit state per tool: 0 closed, 1 half-open, 2 open',
      })
      .addCallback((result) => {
        for (const [tool, snapshot] of Object.entries(this.circuits())) {
          result.observe(CIRCUIT_LEVEL[snapshot.state], { [ATTRIBUTES.toolKey]: tool });
        }
      });
    this.instruments = {
      attempts: meter.createCounter(METRICS.attempts, {
        description: 'Activity attempts by tool, outcome and class',
      }),
      retryDelay: meter.createHistogram(METRICS.retryDelay, {
        unit: 'ms',
        description: 'Delay chosen before the next attempt',
      }),
      costUsd: meter.createCounter(METRICS.costUsd, {
        unit: 'USD',
        description: 'Cost recorded by attempts, failed ones included',
      }),
      tokens: meter.createCounter(METRICS.tokens, {
        unit: '{token}',
        description: 'Tokens recorded by attempts',
      }),
      budgetStops: meter.createCounter(METRICS.budgetStops, {
        description: 'Attempts refused because the budget was spent',
      }),
      circuitTransitions: meter.createCounter(METRICS.circuitTransitions, {
        description: 'Circuit state changes by tool',
      }),
    };
    return this.instruments;
  }
}

function costAttributes(cost: Cost, model: string | undefined): Attributes {
  return {
    [ATTRIBUTES.costUsd]: cost.usd,
    [ATTRIBUTES.inputTokens]: cost.inputTokens,
    [ATTRIBUTES.outputTokens]: cost.outputTokens,
    ...(model !== undefined ? { [ATTRIBUTES.model]: model } : {}),
  };
}
