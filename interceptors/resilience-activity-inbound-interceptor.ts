import type { Context as ActivityContext } from '@temporalio/activity';
import {
  ApplicationFailure,
  defaultPayloadConverter,
  TemporalFailure,
  type Headers,
} from '@temporalio/common';
import { msOptionalToNumber } from '@temporalio/common/lib/time';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { runWithAttemptContext } from '../activities/attempt-context';
import type { AttemptRecord } from '../src/attempts/attempt-record';
import type { Classification } from '../src/classification/classification';
import { classifyError } from '../src/classification/classify-error';
import { priceEntry, ZERO_COST, type Cost } from '../src/cost/cost';
import type { ClassKind } from '../src/classification/classification';
import { isHttpError } from '../src/errors/http-error';
import { isResilienceTimeoutError } from '../src/errors/timeout-error';
import { FAILURE_TYPES, failureTypeOf, type FailureType } from '../src/failure-types';
import { HEADERS, type BudgetHeader, type RouteHeader } from '../src/headers';
import { deriveIdempotencyKeyInWorker } from './worker-idempotency-key';
import { decideRetry, type RetryDecision } from '../src/retry-decision/retry-decision';
import { AttemptLedger, type AttemptLedgerDeps } from './attempt-ledger';
import type { AttemptTelemetry } from './attempt-telemetry';
import { toApplicationFailure } from './failure-mapping';
import { DEFAULT_QUOTA_HOLD_MS, type ResilienceOptions } from './resilience-options';
import {
  type ToolGovernor,
  WaitCancelledError,
  type AcquireRequest,
  type Permit,
  type Refusal,
} from './containment/tool-governor';
import { DEFAULT_TOOL_OPTIONS, type ToolOptions } from './containment/tool-options';
import type { CallOutcome } from '../src/containment/tool-state';
import type { CircuitStateName } from '../src/containment/circuit';

/** What the interceptor needs from the worker-wide state. */
export interface ToolSource {
  governorFor(toolKey: string): ToolGovernor;
  optionsFor(toolKey: string): ToolOptions;
}

/** Identity of one attempt, shared by its records, decisions and spans. */
interface AttemptIdentity {
  readonly base: Omit<AttemptRecord, 'outcome'>;
  /** A later fallback route exists (route header): refusals that would wait on this route fail at once instead. */
  readonly fallback?: boolean;
  readonly serverNow: () => number;
}

/**
 * The toolkit's activity interceptor. For each attempt it checks the workflow's budget, the tool's pacing and its
 * circuit; runs the activity; classifies any failure into the right `ApplicationFailure`; and keeps the attempt
 * chain (records and cost of every attempt) going from attempt to attempt and on to the workflow.
 *
 * Passes through unchanged: `ApplicationFailure`s (and other Temporal failures) thrown on purpose, and cancellation.
 * Results pass through unchanged unless the workflow interceptor is present (a step header arrived), which unwraps
 * the envelope that carries the chain.
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
    // Fallback routing (workflows/fallback.ts): the route header names the route's own tool key, used unless the
    // user's `toolKey` option decides.
    const route = headerValue<RouteHeader>(input.headers, HEADERS.route);
    const toolKey = this.options.toolKey?.(info, input.args) ?? route?.toolKey ?? info.activityType;
    const stepName = headerValue<string>(input.headers, HEADERS.step);
    const idempotencyKey =
      typeof stepName === 'string' && info.workflowExecution
        ? deriveIdempotencyKeyInWorker({
            namespace: info.workflowNamespace ?? info.namespace,
            workflowId: info.workflowExecution.workflowId,
            runId: info.workflowExecution.runId,
            stepName,
            scope: this.options.idempotencyScope,
          })
        : undefined;
    const id: AttemptIdentity = {
      serverNow,
      fallback: route?.fallback === true,
      base: {
        attempt: info.attempt,
        activityId: info.activityId,
        activityType: info.activityType,
        toolKey,
        ...(typeof route?.route === 'string' ? { route: route.route } : {}),
        ...(stepName !== undefined ? { step: stepName, idempotencyKey } : {}),
        startedAt: new Date(serverNow()).toISOString(),
      },
    };
    // The chain (records and cost of every attempt) starts here: this attempt is on record from now on.
    const ledger = AttemptLedger.open(this.ctx, this.ledgerDeps, id.base);
    const governor = this.tools.governorFor(toolKey);
    const observation = this.telemetry.startAttempt(info, id.base, ledger.chain);
    const finish = (record: AttemptRecord, decision?: RetryDecision): void => {
      ledger.finish(record);
      observation.ended(record, decision, governor.circuitName);
      if (decision) {
        try {
          this.options.onClassified?.(decision, info);
        } catch {
          // A user's alert hook must not change how the attempt ends.
        }
      }
    };
    const budget = headerValue<BudgetHeader>(input.headers, HEADERS.budget);
    const refuseIfOverBudget = async () => {
      const overBudget = await ledger.budgetRefusal(budget);
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
    };
    await refuseIfOverBudget();
    // The activity (across its attempts) that owns a pause it caused: its own retry is already delayed by the server.
    const owner = `${info.workflowExecution?.workflowId ?? ''}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`;
    const toolOptions = this.tools.optionsFor(toolKey);
    const maxCalls = headerValue<number>(input.headers, HEADERS.maxCalls);
    // Calls made by earlier attempts: every attempt but the refused ones, plus local re-sends. Counted from the
    // attempt number, so an attempt lost before it could leave a record still counts as a call.
    const earlier = ledger.chain.records.filter((r) => r.attempt < info.attempt);
    const callsBefore =
      info.attempt -
      1 -
      earlier.filter((r) => r.outcome === 'refused').length +
      earlier.filter((r) => r.resentLocally).length;
    if (maxCalls !== undefined && maxCalls > 0 && callsBefore >= maxCalls) {
      // Every call the retry policy allows was made (some by attempts that were lost): nothing may call again.
      this.refuse(
        id,
        { kind: 'fail', reason: 'attempts-exhausted' },
        undefined,
        `${callsBefore} of ${maxCalls} calls made`,
        finish,
        ledger,
      );
    }
    const tokens = declaredTokens(toolOptions, info, input.args);
    // With a later fallback route, an attempt does not wait for this route's tool: it moves on at once.
    const maxWaitMs = id.fallback ? 0 : this.waitBoundMs(toolOptions, startedLocalMs);
    let calls = 0;
    for (;;) {
      const permit = await this.acquire(governor, {
        ...(calls === 0 ? { owner } : {}),
        ...(tokens !== undefined ? { tokens } : {}),
        leaseTtlMs: leaseTtlOf(info),
        maxWaitMs: Math.max(0, maxWaitMs - (Date.now() - startedLocalMs)),
        heartbeat: () => {
          observation.progressed();
          ledger.keepAlive();
        },
        heartbeatEveryMs: waitHeartbeatMs(info),
        signal: this.ctx.cancellationSignal,
      });
      if (!permit.granted) {
        // Past the wait this attempt may spend in the worker: back to the server, to return when the wait is over.
        this.refuse(
          id,
          refusalClassification(permit),
          refusalFailureType(permit),
          undefined,
          finish,
          ledger,
          {
            // The wait is longer than the activity's whole remaining time: fail fast instead of timing out later.
            noTimeLeft: permit.retryAfterMs > this.remainingScheduleToCloseMs(serverNow()),
          },
        );
      }
      if (permit.waitedMs > 0 || calls > 0) {
        // Parallel attempts may have spent the budget while this one waited.
        try {
          await refuseIfOverBudget();
        } catch (error) {
          await permit.release('ignored');
          throw error;
        }
      }
      calls++;
      // Each call's record starts when the call goes (after any wait), so inspect sees the real gaps between calls.
      const callStartedAt = iso(serverNow());
      try {
        const result = await runWithAttemptContext(
          {
            toolKey,
            limiter: {
              observe: (status, headers) =>
                void governor.observe(status, headers, maxPauseMs(toolOptions), owner),
            },
            stepName,
            idempotencyKey,
            heartbeat: (details) => {
              observation.progressed();
              ledger.heartbeat(details);
            },
            recordCost: (entry) => {
              const priced = priceEntry(entry, this.options.prices);
              ledger.recordCost(priced);
              observation.costRecorded(priced, entry.model);
              return priced;
            },
          },
          () => observation.run(() => next(input)),
        );
        await permit.release('success', tokensUsed(ledger.cost, tokens));
        finish({ ...id.base, finishedAt: iso(serverNow()), outcome: 'completed', ...costField(ledger.cost) });
        return result;
      } catch (error) {
        if (error instanceof TemporalFailure || this.ctx.cancellationSignal.aborted) {
          await permit.release('ignored');
          const reason = this.ctx.cancellationSignal.aborted ? 'cancelled' : 'application-failure';
          finish({
            ...id.base,
            finishedAt: iso(serverNow()),
            outcome: 'failed',
            reason,
            ...costField(ledger.cost),
          });
          if (
            error instanceof ApplicationFailure &&
            maxCalls !== undefined &&
            callsBefore + calls >= maxCalls
          ) {
            // The server was told to retry without limit (see HEADERS.maxCalls): the policy's maximum is reached.
            (error as { nonRetryable?: boolean }).nonRetryable = true;
          }
          throw error;
        }
        const classification = classifyError(error, this.options.classify);
        // What the answer says about the tool (a pause, a hold) is stored before the slot is released, so no waiter
        // woken by the release can slip past it.
        if (isHttpError(error))
          await governor.observe(error.status, error.headers, maxPauseMs(toolOptions), owner);
        if (classification.kind === 'stop') {
          // The quota window is gone for every execution of this tool, not just this one (bounded by quotaHoldMs).
          const holdMs = classification.retryAfterMs ?? this.options.quotaHoldMs ?? DEFAULT_QUOTA_HOLD_MS;
          await governor.hold(Date.now() + holdMs, classification.reason);
        }
        await permit.release(callOutcomeOf(classification.kind), tokensUsed(ledger.cost, tokens));
        const callsSoFar = callsBefore + calls;
        const sideEffectUnknown = isResilienceTimeoutError(error) && error.requestSent;
        if (
          resendsLocally(classification.kind, sideEffectUnknown, governor.circuitName) &&
          (maxCalls === undefined || callsSoFar < maxCalls) &&
          (classification.retryAfterMs ?? 0) <= maxWaitMs - (Date.now() - startedLocalMs) &&
          (await governor.spendResend())
        ) {
          // The provider did not process the request (too many at once, "come back in N s", or a 5xx while the
          // circuit is open): send it again from this worker once the tool may be asked, instead of paying a server
          // round trip and missing the recovery. The re-send budget bounds how often, so re-sends cannot amplify a
          // storm.
          ledger.noteCall({
            ...id.base,
            startedAt: callStartedAt,
            finishedAt: iso(serverNow()),
            outcome: 'failed',
            kind: classification.kind,
            reason: classification.reason,
            failureType: failureTypeOf(classification.kind),
            resentLocally: true,
            ...costField(ledger.cost),
          });
          observation.resent(classification);
          continue;
        }
        const decision = this.decide(id, classification, sideEffectUnknown, callsSoFar, maxCalls);
        finish(recordOf(id, 'failed', decision, ledger.cost), decision);
        throw toApplicationFailure(decision, error, ledger.failureWire(isTerminal(decision)));
      }
    }
  }

  /** Waits for the tool in the worker (bounded); a cancelled wait ends as the activity's cancellation. */
  private async acquire(governor: ToolGovernor, request: AcquireRequest): Promise<Permit | Refusal> {
    try {
      return await governor.acquire(request);
    } catch (error) {
      if (error instanceof WaitCancelledError) {
        // The SDK's own cancellation error, so the attempt ends exactly as an uncontained one would.
        await this.ctx.cancelled;
      }
      throw error;
    }
  }

  /** Time left of the activity's `scheduleToCloseTimeout` (across attempts), or Infinity when it has none. */
  private remainingScheduleToCloseMs(nowMs: number): number {
    const info = this.ctx.info;
    return info.scheduleToCloseTimeoutMs > 0
      ? info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs - nowMs
      : Infinity;
  }

  /** How long this attempt may wait in the worker: the tool's bound, and at most half its start-to-close time. */
  private waitBoundMs(toolOptions: ToolOptions, startedLocalMs: number): number {
    const configured = toolOptions.maxQueueWaitMs ?? DEFAULT_TOOL_OPTIONS.maxQueueWaitMs;
    const startToClose = this.ctx.info.startToCloseTimeoutMs;
    const half = startToClose > 0 ? startToClose / 2 : Infinity;
    return Math.max(0, Math.min(configured, half) - (Date.now() - startedLocalMs));
  }

  /** Ends the attempt without calling the tool. */
  private refuse(
    id: AttemptIdentity,
    classification: Classification,
    failureType: FailureType | undefined,
    message: string | undefined,
    finish: (record: AttemptRecord, decision: RetryDecision) => void,
    ledger: AttemptLedger,
    { noTimeLeft = false }: { readonly noTimeLeft?: boolean } = {},
  ): never {
    const decided = this.decide(id, classification, false);
    const decision: RetryDecision = {
      ...decided,
      ...(failureType ? { failureType } : {}),
      // An open circuit is expected throttling, like WAIT: benign in Temporal's metrics and logs.
      ...(failureType === FAILURE_TYPES.circuitOpen ? { benign: true } : {}),
      // Fallback routing: with a later route waiting, do not let the server retry a refused route; move on now.
      ...(failureType === FAILURE_TYPES.circuitOpen && id.fallback ? { nonRetryable: true } : {}),
      ...(noTimeLeft ? { nonRetryable: true } : {}),
    };
    finish(recordOf(id, 'refused', decision, ZERO_COST), decision);
    // A refusal's reason is the message itself: no cause, no stack (it would only list the toolkit's own frames).
    throw toApplicationFailure(decision, message, ledger.failureWire(isTerminal(decision)));
  }

  private decide(
    id: AttemptIdentity,
    classification: Classification,
    sideEffectUnknown: boolean,
    calls?: number,
    maxCalls?: number,
  ): RetryDecision {
    const info = this.ctx.info;
    const policy = info.retryPolicy;
    const decision = decideRetry(classification, {
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
      // With the workflow interceptor, the server retries without limit and the interceptor counts real calls
      // against the policy's maximum: attempts refused without a call (circuit open, paused) use none of it.
      maximumAttempts: maxCalls ?? policy?.maximumAttempts,
      ...(calls !== undefined && maxCalls !== undefined ? { calls } : {}),
      step: id.base.step,
      idempotencyKey: id.base.idempotencyKey,
      sideEffectUnknown,
    });
    // Fallback routing: decisions name the route the attempt ran on.
    // The server was told to retry without limit (HEADERS.maxCalls): the last call the policy allows must end it.
    const final =
      maxCalls !== undefined && decision.attemptsExhausted ? { ...decision, nonRetryable: true } : decision;
    return id.base.route === undefined ? final : { ...final, route: id.base.route };
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

/** How a classified answer moves the tool's containment: only RETRY-class failures count against its health. */
function callOutcomeOf(kind: ClassKind): CallOutcome {
  switch (kind) {
    case 'cap':
      return 'cap';
    case 'retry':
      return 'failure';
    case 'wait':
    case 'stop':
      return 'answered';
    case 'fail':
      return 'success';
  }
}

/**
 * Whether a failed call may be sent again from the worker: CAP and WAIT answers were not processed; a RETRY-class
 * failure while the circuit is open waits here for the probe (unless the request may have landed: then the next
 * attempt must reconcile first, so it goes back to the server).
 */
function resendsLocally(kind: ClassKind, sideEffectUnknown: boolean, circuit: CircuitStateName): boolean {
  if (kind === 'cap' || kind === 'wait') return true;
  return kind === 'retry' && !sideEffectUnknown && (circuit === 'open' || circuit === 'half-open');
}

/** A refusal as a classification: a STOP for a quota hold, otherwise a wait of the predicted length. */
function refusalClassification(refusal: Refusal): Classification {
  if (refusal.gate === 'hold')
    return { kind: 'stop', reason: refusal.reason, retryAfterMs: refusal.retryAfterMs };
  return { kind: 'wait', reason: refusal.reason, retryAfterMs: refusal.retryAfterMs };
}

/** The failure type a refusal carries, so dashboards tell an open circuit from a full tool. */
function refusalFailureType(refusal: Refusal): FailureType | undefined {
  switch (refusal.gate) {
    case 'open':
    case 'forced-open':
    case 'half-open':
      return FAILURE_TYPES.circuitOpen;
    case 'concurrency':
    case 'hold-probe':
      return FAILURE_TYPES.cap;
    default:
      return undefined;
  }
}

/** A lease outlives its call only if the worker died: then it expires with the attempt's own timeout. */
function leaseTtlOf(info: ActivityContext['info']): number {
  const startToClose = info.startToCloseTimeoutMs;
  return startToClose > 0 ? startToClose + 1_000 : 600_000;
}

function maxPauseMs(options: ToolOptions): number {
  return options.maxWaitMs ?? DEFAULT_TOOL_OPTIONS.maxWaitMs;
}

function declaredTokens(
  options: ToolOptions,
  info: ActivityContext['info'],
  args: readonly unknown[],
): number | undefined {
  if (!options.estimateTokens) return undefined;
  try {
    const tokens = options.estimateTokens(info, args);
    return Number.isFinite(tokens) && tokens > 0 ? tokens : undefined;
  } catch {
    // A user's estimate that throws must not stop the call; it just goes unpaced by tokens.
    return undefined;
  }
}

/** Tokens the call really used (its recorded cost), to correct its declared estimate; undefined when none. */
function tokensUsed(callCost: Cost, declared: number | undefined): number | undefined {
  if (declared === undefined) return undefined;
  const used = callCost.inputTokens + callCost.outputTokens;
  return used > 0 ? used : undefined;
}

/** A waiting attempt with no heartbeat timeout still heartbeats this often: it is how a cancellation reaches it. */
const WAIT_HEARTBEAT_WITHOUT_TIMEOUT_MS = 10_000;

/**
 * How often an attempt waiting in the worker heartbeats: a third of its heartbeat timeout (so one lost heartbeat
 * does not time it out), at most every 10 s. Not every second: each heartbeat that reaches the server is a write to
 * the workflow execution, and under a tight concurrency limit hundreds of attempts can wait at once.
 */
export function waitHeartbeatMs(info: { readonly heartbeatTimeoutMs?: number }): number {
  const timeoutMs = info.heartbeatTimeoutMs;
  if (!timeoutMs || timeoutMs <= 0) return WAIT_HEARTBEAT_WITHOUT_TIMEOUT_MS;
  return Math.max(100, Math.min(WAIT_HEARTBEAT_WITHOUT_TIMEOUT_MS, Math.floor(timeoutMs / 3)));
}
