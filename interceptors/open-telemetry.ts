import type { Info } from '@temporalio/activity';
import type { Attributes, Counter, Histogram, Span } from '@opentelemetry/api';
import type { AttemptChain, AttemptRecord } from '../src/attempts/attempt-record';
import type { Cost } from '../src/cost/cost';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import { ATTRIBUTES, METRICS, SPANS, type ExecutionSummary } from '../src/telemetry-names';
import type { AttemptObservation, AttemptTelemetry } from './attempt-telemetry';
import type { CircuitStateName } from '../src/containment/circuit';
import type { CircuitStateChange } from './containment/tool-governor';
import type { ToolStatus } from './containment/governor-registry';
// The optional peer, loaded on first use (see open-telemetry-api.ts).
import { context, metrics, SpanKind, SpanStatusCode, trace } from './open-telemetry-api';

const INSTRUMENTATION = 'temporal-resilience';
const CIRCUIT_LEVEL: Record<CircuitStateName, number> = {
  closed: 0,
  disabled: 0,
  'half-open': 1,
  open: 2,
  'forced-open': 2,
};

/** Retry delays reach hours (a quota window): buckets from 100 ms to 6 h, in ms. */
export const RETRY_DELAY_BUCKETS_MS: readonly number[] = [
  100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000,
  10_800_000, 21_600_000,
];

/** One execution's cost in USD: from a fraction of a cent (a few small calls) to a runaway loop. */
export const EXECUTION_COST_BUCKETS_USD: readonly number[] = [
  0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100,
];

interface Instruments {
  attempts: Counter;
  retryDelay: Histogram;
  costUsd: Counter;
  tokens: Counter;
  budgetStops: Counter;
  circuitTransitions: Counter;
  executionCost: Histogram;
  holds: Counter;
  rateLimited: Counter;
}

/** An attempt in flight, for the stall gauge. */
interface Running {
  readonly tool: string;
  readonly workflowType: string;
  lastProgressMs: number;
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
  private readonly running = new Set<Running>();
  /** Tool and workflow type pairs the stall gauges have reported, so a pair whose attempts all ended reads 0. */
  private readonly reported = new Map<string, Attributes>();

  /**
   * @param circuits each tool's circuit, read at collection for the circuit state gauge
   * @param tools each tool's pacing state, read at collection for the hold gauge
   * @param nowMs the clock of the stall and hold gauges @default Date.now
   */
  constructor(
    private readonly circuits: () => Record<string, CircuitStateName>,
    private readonly tools: () => Promise<Record<string, ToolStatus>> = () => Promise.resolve({}),
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * Records a closed workflow execution's cost (from its ledger) in the per-execution histogram, by workflow type and
   * status: the distribution behind the "cost above 3x the median" alert. Called by the plugin's workflow sink.
   */
  executionClosed(workflowType: string, summary: ExecutionSummary): void {
    this.meterInstruments().executionCost.record(summary.costUsd, {
      [ATTRIBUTES.workflowType]: workflowType,
      'temporal_resilience.execution.status': summary.status,
    });
  }

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
          ...(attempt.route !== undefined ? { [ATTRIBUTES.route]: attempt.route } : {}),
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
    const running: Running = {
      tool: attempt.toolKey,
      workflowType: info.workflowType ?? '',
      lastProgressMs: this.nowMs(),
    };
    this.running.add(running);
    return {
      run: (fn) => context.with(trace.setSpan(context.active(), span), fn),
      progressed: () => {
        running.lastProgressMs = this.nowMs();
      },
      resent: (classification) => {
        const answer = {
          [ATTRIBUTES.kind]: classification.kind,
          [ATTRIBUTES.reason]: classification.reason,
          ...(classification.status !== undefined ? { [ATTRIBUTES.httpStatus]: classification.status } : {}),
        };
        span.addEvent(SPANS.callResent, answer);
        if (classification.status === 429) {
          instruments.rateLimited.add(1, { ...common, [ATTRIBUTES.kind]: classification.kind });
        }
      },
      costRecorded: (cost, model) => {
        attemptCost = cost;
        span.addEvent(SPANS.costRecorded, costAttributes(cost, model));
        if (model !== undefined) span.setAttribute(ATTRIBUTES.model, model);
        instruments.costUsd.add(cost.usd, common);
        instruments.tokens.add(cost.inputTokens, { ...common, 'gen_ai.token.type': 'input' });
        instruments.tokens.add(cost.outputTokens, { ...common, 'gen_ai.token.type': 'output' });
      },
      ended: (record, decision, circuit) => {
        this.running.delete(running);
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
        if (decision) this.failed(span, instruments, common, decision, record.outcome === 'failed');
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
    });
  }

  private failed(
    span: Span,
    instruments: Instruments,
    common: Attributes,
    decision: RetryDecision,
    called: boolean,
  ): void {
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
    if (decision.status === 429)
      instruments.rateLimited.add(1, { ...common, [ATTRIBUTES.kind]: decision.kind });
    // A STOP met on a call is what holds the tool shut; a refusal by the hold (or by a spent budget) is not a new one.
    if (called && decision.kind === 'stop') {
      instruments.holds.add(1, {
        [ATTRIBUTES.toolKey]: common[ATTRIBUTES.toolKey],
        [ATTRIBUTES.reason]: decision.reason,
      });
    }
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
        description: 'Circuit state per tool: 0 closed (or disabled), 1 half-open, 2 open (or forced open)',
      })
      .addCallback((result) => {
        for (const [tool, state] of Object.entries(this.circuits())) {
          result.observe(CIRCUIT_LEVEL[state], { [ATTRIBUTES.toolKey]: tool });
        }
      });
    meter
      .createObservableGauge(METRICS.holdRemaining, {
        unit: 's',
        description: 'Seconds each tool stays held shut by a quota hold; 0 when not held',
      })
      .addCallback(async (result) => {
        const now = this.nowMs();
        for (const [tool, state] of Object.entries(await this.tools())) {
          const remaining = state.heldUntilMs !== undefined ? Math.max(0, state.heldUntilMs - now) / 1000 : 0;
          result.observe(remaining, { [ATTRIBUTES.toolKey]: tool });
        }
      });
    const runningGauge = meter.createObservableGauge(METRICS.attemptsRunning, {
      description: 'Attempts running now, by tool and workflow type',
    });
    const idleGauge = meter.createObservableGauge(METRICS.attemptIdle, {
      unit: 's',
      description:
        'Longest time a running attempt went without a heartbeat (or since its start), by tool and workflow type',
    });
    meter.addBatchObservableCallback(
      (result) => {
        const now = this.nowMs();
        const groups = new Map<string, { attributes: Attributes; count: number; idleMs: number }>();
        for (const r of this.running) {
          const key = `${r.tool}\u0000${r.workflowType}`;
          const group = groups.get(key) ?? {
            attributes: { [ATTRIBUTES.toolKey]: r.tool, [ATTRIBUTES.workflowType]: r.workflowType },
            count: 0,
            idleMs: 0,
          };
          group.count++;
          group.idleMs = Math.max(group.idleMs, now - r.lastProgressMs);
          groups.set(key, group);
        }
        for (const [key, group] of groups) {
          result.observe(runningGauge, group.count, group.attributes);
          result.observe(idleGauge, group.idleMs / 1000, group.attributes);
          this.reported.set(key, group.attributes);
        }
        // The SDK keeps exporting a series' last value when a callback stops observing it: a stall that ended would
        // look stuck for ever. Report 0 instead.
        for (const [key, attributes] of this.reported) {
          if (groups.has(key)) continue;
          result.observe(runningGauge, 0, attributes);
          result.observe(idleGauge, 0, attributes);
        }
      },
      [runningGauge, idleGauge],
    );
    this.instruments = {
      executionCost: meter.createHistogram(METRICS.executionCost, {
        unit: 'USD',
        description: "One workflow execution's cost from its ledger, recorded when it closes",
        advice: { explicitBucketBoundaries: [...EXECUTION_COST_BUCKETS_USD] },
      }),
      holds: meter.createCounter(METRICS.holds, {
        description: 'Quota holds placed on a tool (STOP), by tool and reason',
      }),
      rateLimited: meter.createCounter(METRICS.rateLimited, {
        description: 'Attempts that met an HTTP 429, by tool and the class given to it',
      }),
      attempts: meter.createCounter(METRICS.attempts, {
        description: 'Activity attempts by tool, outcome and class',
      }),
      retryDelay: meter.createHistogram(METRICS.retryDelay, {
        unit: 'ms',
        description: 'Delay chosen before the next attempt',
        advice: { explicitBucketBoundaries: [...RETRY_DELAY_BUCKETS_MS] },
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
