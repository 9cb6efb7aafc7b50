import type { Context as ActivityContext } from '@temporalio/activity';
import { defaultPayloadConverter, TemporalFailure, type Headers } from '@temporalio/common';
import { msOptionalToNumber } from '@temporalio/common/lib/time';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { runWithAttemptContext } from '../activities/attempt-context';
import type { AttemptRecord } from '../src/attempts/attempt-record';
import type { Classification } from '../src/classification/classification';
import { classifyError } from '../src/classification/classify-error';
import { priceEntry, ZERO_COST, type Cost } from '../src/cost/cost';
import { isHttpError } from '../src/errors/http-error';
import { isResilienceTimeoutError } from '../src/errors/timeout-error';
import { FAILURE_TYPES, type FailureType } from '../src/failure-types';
import { HEADERS, type BudgetHeader } from '../src/headers';
import { deriveIdempotencyKey } from '../src/idempotency/idempotency-key';
import { decideRetry, type RetryDecision } from '../src/retry-decision/retry-decision';
import { AttemptLedger, type AttemptLedgerDeps } from './attempt-ledger';
import type { AttemptTelemetry } from './attempt-telemetry';
import { toApplicationFailure } from './failure-mapping';
import { DEFAULT_QUOTA_HOLD_MS, type ResilienceOptions } from './resilience-options';
import type { ToolState } from './tool-registry';

/** What the interceptor needs from the worker-wide state. */
export interface ToolSource {
  toolFor(toolKey: string): ToolState;
}

/** Identity of one attempt, shared by its records, decisions and spans. */
interface AttemptIdentity {
  readonly base: Omit<AttemptRecord, 'outcome'>;
  readonly serverNow: () => number;
}

/**
 * The toolkit's activity interceptor. For each attempt it checks the workflow's budget, the tool's pacing and its
 * circuit; runs the activity; classifies any failure into the right `ApplicationFailure`; and keeps the attempt
 * chain (records and cost of every attempt) going from attempt to attempt and on to the workflow.
 *
 * Passes through unchanged: results, heartbeat details, `ApplicationFailure`s (and other Temporal failures) thrown on
 * purpose, and cancellation. The attempt chain travels beside them (see {@link AttemptLedger}).
 */
export class ResilienceActivityInboundInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly options: ResilienceOptions,
    private readonly tools: ToolSource,
    private readonly telemetry: AttemptTelemetry,
    private readonly ledgerDeps: AttemptLedgerDeps,
  ) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const info = this.ctx.info;
    const startedLocalMs = Date.now();
    // Server time (virtual on the time-skipping server), so records and `nextNotBefore` compare with history times.
    // The limiter and circuit keep real time: they protect a provider, whose clock never skips.
    const serverNow = () => info.currentAttemptScheduledTimestampMs + (Date.now() - startedLocalMs);
    const toolKey = this.options.toolKey?.(info, input.args) ?? info.activityType;
    const stepName = headerValue<string>(input.headers, HEADERS.step);
    const idempotencyKey =
      typeof stepName === 'string' && info.workflowExecution
        ? deriveIdempotencyKey({
            namespace: info.workflowNamespace ?? info.namespace,
            workflowId: info.workflowExecution.workflowId,
            runId: info.workflowExecution.runId,
            stepName,
            scope: this.options.idempotencyScope,
          })
        : undefined;
    const id: AttemptIdentity = {
      serverNow,
      base: {
        attempt: info.attempt,
        activityId: info.activityId,
        activityType: info.activityType,
        toolKey,
        ...(stepName !== undefined ? { step: stepName, idempotencyKey } : {}),
        startedAt: new Date(serverNow()).toISOString(),
      },
    };
    // The chain (records and cost of every attempt) starts here: this attempt is on record from now on.
    const ledger = AttemptLedger.open(this.ctx, this.ledgerDeps, id.base);
    const { limiter, circuit } = this.tools.toolFor(toolKey);
    const observation = this.telemetry.startAttempt(info, id.base, ledger.chain);
    const finish = (record: AttemptRecord, decision?: RetryDecision): void => {
      ledger.finish(record);
      observation.ended(record, decision, circuit.state);
      if (decision) {
        try {
          this.options.onClassified?.(decision, info);
        } catch {
          // A user's alert hook must not change how the attempt ends.
        }
      }
    };
    const overBudget = await ledger.budgetRefusal(headerValue<BudgetHeader>(input.headers, HEADERS.budget));
    if (overBudget !== undefined) {
      this.refuse(
        id,
        { kind: 'stop', reason: 'budget-exceeded' },
        FAILURE_TYPES.budgetExceeded,
        overBudget,
        finish,
        ledger,
      );
    }
    // The activity (across its attempts) that owns a pause it caused: its own retry is already delayed by the server.
    const owner = `${info.workflowExecution?.workflowId ?? ''}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`;
    const permit = await limiter.acquire(Date.now, owner);
    if (!permit.granted) {
      // Paused, held or saturated in this worker: hand the wait back to the server instead of calling.
      const classification: Classification = {
        kind: permit.kind,
        reason: permit.reason,
        ...(permit.kind === 'cap' ? {} : { retryAfterMs: permit.retryAfterMs }),
      };
      this.refuse(id, classification, undefined, undefined, finish, ledger);
    }
    const admission = circuit.admit();
    if (!admission.admitted) {
      permit.release('other');
      const classification: Classification = {
        kind: 'wait',
        reason: `circuit-${admission.state}`,
        retryAfterMs: admission.retryAfterMs,
      };
      this.refuse(id, classification, FAILURE_TYPES.circuitOpen, undefined, finish, ledger);
    }

    try {
      const result = await runWithAttemptContext(
        {
          toolKey,
          limiter: { observe: (status, headers) => limiter.observe(status, headers, Date.now(), owner) },
          stepName,
          idempotencyKey,
          heartbeat: (details) => ledger.heartbeat(details),
          recordCost: (entry) => {
            const priced = priceEntry(entry, this.options.prices);
            ledger.recordCost(priced);
            observation.costRecorded(priced, entry.model);
            return priced;
          },
        },
        () => observation.run(() => next(input)),
      );
      permit.release('success');
      admission.settle('success');
      finish({ ...id.base, finishedAt: iso(serverNow()), outcome: 'completed', ...costField(ledger.cost) });
      return result;
    } catch (error) {
      if (error instanceof TemporalFailure || this.ctx.cancellationSignal.aborted) {
        permit.release('other');
        admission.settle('cancelled');
        const reason = this.ctx.cancellationSignal.aborted ? 'cancelled' : 'application-failure';
        finish({
          ...id.base,
          finishedAt: iso(serverNow()),
          outcome: 'failed',
          reason,
          ...costField(ledger.cost),
        });
        throw error;
      }
      const classification = classifyError(error, this.options.classify);
      permit.release(classification.kind === 'cap' ? 'cap' : 'other');
      admission.settle(classification.kind);
      if (isHttpError(error)) limiter.observe(error.status, error.headers, Date.now(), owner);
      if (classification.kind === 'stop') {
        // The quota window is gone for every execution of this tool in the worker, not just this one.
        const holdMs = classification.retryAfterMs ?? this.options.quotaHoldMs ?? DEFAULT_QUOTA_HOLD_MS;
        limiter.hold(Date.now() + holdMs, classification.reason);
      }
      const decision = this.decide(id, classification, isResilienceTimeoutError(error) && error.requestSent);
      finish(recordOf(id, 'failed', decision, ledger.cost), decision);
      throw toApplicationFailure(decision, error, ledger.failureWire(isTerminal(decision)));
    }
  }

  /** Ends the attempt without calling the tool. */
  private refuse(
    id: AttemptIdentity,
    classification: Classification,
    failureType: FailureType | undefined,
    message: string | undefined,
    finish: (record: AttemptRecord, decision: RetryDecision) => void,
    ledger: AttemptLedger,
  ): never {
    const decided = this.decide(id, classification, false);
    const decision: RetryDecision = {
      ...decided,
      ...(failureType ? { failureType } : {}),
      // An open circuit is expected throttling, like WAIT: benign in Temporal's metrics and logs.
      ...(failureType === FAILURE_TYPES.circuitOpen ? { benign: true } : {}),
    };
    finish(recordOf(id, 'refused', decision, ZERO_COST), decision);
    // A refusal's reason is the message itself: no cause, no stack (it would only list the toolkit's own frames).
    throw toApplicationFailure(decision, message, ledger.failureWire(isTerminal(decision)));
  }

  private decide(
    id: AttemptIdentity,
    classification: Classification,
    sideEffectUnknown: boolean,
  ): RetryDecision {
    const info = this.ctx.info;
    const policy = info.retryPolicy;
    return decideRetry(classification, {
      workflowId: info.workflowExecution?.workflowId ?? '',
      activityId: info.activityId,
      attempt: info.attempt,
      toolKey: id.base.toolKey,
      nowMs: id.serverNow(),
      backoff: {
        initialIntervalMs: msOptionalToNumber(policy?.initialInterval) ?? undefined,
        backoffCoefficient: policy?.backoffCoefficient ?? undefined,
        maximumIntervalMs: msOptionalToNumber(policy?.maximumInterval) ?? undefined,
        jitterRatio: this.options.jitterRatio,
      },
      maximumAttempts: policy?.maximumAttempts,
      step: id.base.step,
      idempotencyKey: id.base.idempotencyKey,
      sideEffectUnknown,
    });
  }
}

function recordOf(
  id: AttemptIdentity,
  outcome: 'failed' | 'refused',
  decision: RetryDecision,
  cost: Cost,
): AttemptRecord {
  return {
    ...id.base,
    finishedAt: iso(id.serverNow()),
    outcome,
    kind: decision.kind,
    reason: decision.reason,
    failureType: decision.failureType,
    ...(decision.delayMs !== undefined ? { delayMs: decision.delayMs } : {}),
    ...(decision.nextNotBefore !== undefined ? { nextNotBefore: decision.nextNotBefore } : {}),
    ...(decision.sideEffectUnknown ? { sideEffectUnknown: true } : {}),
    ...costField(cost),
  };
}

/** Nothing will retry after this decision: the failure carries the whole chain to the workflow. */
function isTerminal(decision: RetryDecision): boolean {
  return decision.nonRetryable || decision.attemptsExhausted === true;
}

function costField(cost: Cost): { cost?: Cost } {
  return cost.usd > 0 || cost.inputTokens > 0 || cost.outputTokens > 0 ? { cost } : {};
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A header the workflow interceptor sent, decoded; `undefined` when absent or unreadable. */
function headerValue<T>(headers: Headers, name: string): T | undefined {
  const payload = headers[name];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<T>(payload);
  } catch {
    return undefined;
  }
}
