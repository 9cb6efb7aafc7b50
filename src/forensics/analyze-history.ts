import { hasChainMarker, type AttemptChain, type AttemptRecord } from '../attempts/attempt-record';
import { CHAIN_METADATA_KEY, fromChainWire, isChainWire, isWireEnvelope } from '../attempts/chain-wire';
import { HEADERS, type RouteHeader } from '../headers';
import type { AttemptReport, InspectReport, StepReport, Verdict } from './inspect-report';

/** `json/plain` in base64, the encoding metadata of a JSON payload in proto3 JSON. */
const JSON_PLAIN_BASE64 = 'anNvbi9wbGFpbg==';

/** A payload as proto3 JSON has it (`data` base64). */
export interface JsonPayload {
  readonly metadata?: Record<string, string>;
  readonly data?: string;
}

/** The parts of a proto3-JSON history event the analysis reads. */
export interface JsonHistoryEvent {
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventType: string;
  readonly [attributes: string]: unknown;
}

/** A pending activity as `describe()` reports it, reduced to what the analysis reads. */
export interface PendingActivity {
  readonly activityId: string;
  readonly attempt: number;
  readonly nextAttemptScheduleTime?: string;
  readonly lastFailureType?: string;
  readonly lastFailureMessage?: string;
  /** `scheduled`, `started` or `cancel-requested`. */
  readonly state?: string;
  /** When the running attempt started, and when it last heartbeated (for stall detection). */
  readonly lastStartedTime?: string;
  readonly lastHeartbeatTime?: string;
}

/** Inputs of {@link analyzeHistory}. */
export interface AnalyzeInput {
  readonly events: readonly JsonHistoryEvent[];
  /** Decodes a payload (the CLI passes a JSON payload decoder). Returns `undefined` for what it cannot read. */
  readonly decode: (payload: JsonPayload) => unknown;
  readonly pending?: readonly PendingActivity[];
  readonly workflowId: string;
  readonly runId: string;
  readonly status: string;
  /** A retry that starts sooner than this after the previous attempt ended is immediate. @default 100 */
  readonly immediateThresholdMs?: number;
}

interface FailureJson {
  message?: string;
  applicationFailureInfo?: { type?: string; nonRetryable?: boolean; details?: { payloads?: JsonPayload[] } };
  timeoutFailureInfo?: { timeoutType?: string };
  cause?: FailureJson;
}

interface ActivityState {
  scheduledEventId: string;
  activityId: string;
  activityType: string;
  step?: string;
  scheduledAt: string;
  retry?: { initialInterval?: string; backoffCoefficient?: number; maximumInterval?: string };
  startedAt?: string;
  lastAttempt?: number;
  /** Why the server ended the attempt before the final one, as the final attempt's started event says. */
  previousTimeout?: string;
  closedAt?: string;
  outcome: StepReport['outcome'];
  chain?: AttemptChain;
  failure?: FailureJson;
  retryState?: string;
  /** The fallback route header (`withFallback`), when the activity ran on a route. */
  route?: { name: string; index: number; fallback: boolean };
  /** Scheduled again by the workflow this soon after the same activity type failed: a retry loop in workflow code. */
  redispatchedAfterMs?: number;
}

/** How far apart two workers' estimates of the server's clock may be. */
const CLOCK_ALLOWANCE_MS = 20;

const attrs = (event: JsonHistoryEvent, name: string) => event[name] as Record<string, unknown> | undefined;

/**
 * Reads a workflow history (proto3 JSON, as `historyToJSON` writes it) and says, per step, what happened on each
 * attempt and whether the retries were legitimate. With the toolkit's attempt records it reports every attempt; without
 * them it infers what it can from the final attempt's timing and the retry policy.
 */
export function analyzeHistory(input: AnalyzeInput): InspectReport {
  const threshold = input.immediateThresholdMs ?? 100;
  const activities = new Map<string, ActivityState>();
  const order: ActivityState[] = [];
  const occurrences = new Map<string, number>();
  let workflowType = '';
  let startedAt = input.events[0]?.eventTime ?? '';
  let closedAt: string | undefined;

  for (const event of input.events) {
    const started = attrs(event, 'workflowExecutionStartedEventAttributes');
    if (started) {
      workflowType = String((started.workflowType as { name?: string } | undefined)?.name ?? '');
      startedAt = event.eventTime;
    }
    if (
      /WORKFLOW_EXECUTION_(COMPLETED|FAILED|CANCELED|TERMINATED|TIMED_OUT|CONTINUED_AS_NEW)$/.test(
        event.eventType,
      )
    ) {
      closedAt = event.eventTime;
    }
    const scheduled = attrs(event, 'activityTaskScheduledEventAttributes');
    if (scheduled) {
      const activityType = String((scheduled.activityType as { name?: string } | undefined)?.name ?? '');
      const header = (scheduled.header as { fields?: Record<string, JsonPayload> } | undefined)?.fields?.[
        HEADERS.step
      ];
      const decoded = header ? input.decode(header) : undefined;
      const routeHeader = (scheduled.header as { fields?: Record<string, JsonPayload> } | undefined)
        ?.fields?.[HEADERS.route];
      const route = routeHeader ? (input.decode(routeHeader) as Partial<RouteHeader> | undefined) : undefined;
      const n = (occurrences.get(activityType) ?? 0) + 1;
      occurrences.set(activityType, n);
      const state: ActivityState = {
        scheduledEventId: event.eventId,
        activityId: String(scheduled.activityId ?? ''),
        activityType,
        step: typeof decoded === 'string' ? decoded : `${activityType}#${n}`,
        scheduledAt: event.eventTime,
        retry: scheduled.retryPolicy as ActivityState['retry'],
        outcome: 'pending',
        ...(typeof route?.route === 'string'
          ? {
              route: {
                name: route.route,
                index: Number(route.index ?? 0),
                fallback: route.fallback === true,
              },
            }
          : {}),
      };
      activities.set(event.eventId, state);
      order.push(state);
      continue;
    }
    for (const [suffix, outcome] of [
      ['Started', undefined],
      ['Completed', 'completed'],
      ['Failed', 'failed'],
      ['TimedOut', 'timed-out'],
      ['Canceled', 'cancelled'],
    ] as const) {
      const a = attrs(event, `activityTask${suffix}EventAttributes`);
      if (!a) continue;
      const state = activities.get(String(a.scheduledEventId ?? ''));
      if (!state) continue;
      if (outcome === undefined) {
        state.startedAt = event.eventTime;
        state.lastAttempt = Number(a.attempt ?? 1);
        const previous = a.lastFailure as FailureJson | undefined;
        const timeout = timeoutTypeOf(previous);
        if (timeout) state.previousTimeout = timeout;
        continue;
      }
      state.outcome = outcome;
      state.closedAt = event.eventTime;
      if (outcome === 'completed') {
        const result = (a.result as { payloads?: JsonPayload[] } | undefined)?.payloads?.[0];
        const value = result ? input.decode(result) : undefined;
        if (hasChainMarker(value)) state.chain = value.chain;
        // The chain travels beside the result, in the payload's metadata (JSON, base64 like the payload's data).
        const beside = result?.metadata?.[CHAIN_METADATA_KEY];
        const wire = beside
          ? input.decode({ metadata: { encoding: JSON_PLAIN_BASE64 }, data: beside })
          : undefined;
        if (isChainWire(wire)) state.chain = fromChainWire(wire, state).chain;
      } else {
        state.failure = a.failure as FailureJson | undefined;
        state.retryState = a.retryState as string | undefined;
        for (const payload of state.failure?.applicationFailureInfo?.details?.payloads ?? []) {
          const value = input.decode(payload);
          if (hasChainMarker(value)) state.chain = value.chain;
          if (isWireEnvelope(value)) state.chain = fromChainWire(value.wire, state).chain;
        }
      }
    }
  }

  // A workflow that catches a failure and calls the same activity again at once is retrying with no backoff, whatever
  // the activity's retry policy says.
  order.forEach((state, i) => {
    const previous = order
      .slice(0, i)
      .reverse()
      .find((p) => p.activityType === state.activityType);
    // A later fallback route is a reroute, not a retry loop.
    if (state.route && state.route.index > 0) return;
    if (previous?.closedAt && previous.outcome !== 'completed' && previous.outcome !== 'pending') {
      state.redispatchedAfterMs = Date.parse(state.scheduledAt) - Date.parse(previous.closedAt);
    }
  });

  const keyUse = new Map<string, Set<string>>();
  for (const state of order) {
    const identity = dispatchIdentity(state);
    if (identity === undefined) continue;
    const ids = keyUse.get(identity) ?? new Set<string>();
    ids.add(state.activityId);
    keyUse.set(identity, ids);
  }

  // A step still open in a closed workflow was abandoned (terminated, cancelled or timed out with it).
  if (closedAt) for (const state of order) if (state.outcome === 'pending') state.outcome = 'cancelled';
  const reports = order.map((state) => stepReport(state, input, threshold, keyUse));
  const costs = order.filter((s) => s.chain).map((s) => s.chain!.cost.usd);
  return {
    schemaVersion: 1,
    workflowId: input.workflowId,
    runId: input.runId,
    workflowType,
    status: input.status,
    startedAt,
    ...(closedAt ? { closedAt } : {}),
    toolkit: order.some((s) => s.chain !== undefined),
    ...(costs.length > 0 ? { costUsd: roundUsd(costs.reduce((a, b) => a + b, 0)) } : {}),
    steps: reports.filter((r) => !r.step.startsWith('compensate:')),
    compensations: reports.filter((r) => r.step.startsWith('compensate:')),
  };
}

function stepReport(
  state: ActivityState,
  input: AnalyzeInput,
  threshold: number,
  keyUse: Map<string, Set<string>>,
): StepReport {
  const pending = input.pending?.find((p) => p.activityId === state.activityId);
  const attempts = state.chain ? fromChain(state.chain.records) : fromHistory(state, pending);
  const keys = new Set(
    state.chain?.records.map((r) => r.idempotencyKey).filter((k): k is string => k !== undefined),
  );
  const key = [...keys][0];
  const failure = innermostApplicationFailure(state.failure);
  const base = {
    step: state.step ?? state.activityType,
    activityType: state.activityType,
    activityId: state.activityId,
    ...(key !== undefined ? { idempotencyKey: key } : {}),
    ...(state.chain ? { keyStable: keys.size <= 1 } : {}),
    scheduledAt: state.scheduledAt,
    ...(state.closedAt ? { closedAt: state.closedAt } : {}),
    outcome: state.outcome,
    attempts,
    ...(failure?.type ? { failureType: failure.type } : {}),
    ...(failure?.message ? { failureMessage: failure.message } : {}),
    ...(state.route ? { route: { name: state.route.name, index: state.route.index } } : {}),
    ...(state.chain ? { costUsd: roundUsd(state.chain.cost.usd) } : {}),
  };
  const { verdict, explanation, nextAttemptAt } = judge(
    state,
    attempts,
    pending,
    threshold,
    keyUse,
    failure?.type,
  );
  return { ...base, verdict, explanation, ...(nextAttemptAt ? { nextAttemptAt } : {}) };
}

function judge(
  state: ActivityState,
  attempts: readonly AttemptReport[],
  pending: PendingActivity | undefined,
  threshold: number,
  keyUse: Map<string, Set<string>>,
  failureType: string | undefined,
): { verdict: Verdict; explanation: string; nextAttemptAt?: string } {
  const identity = dispatchIdentity(state);
  const dispatches = identity !== undefined ? (keyUse.get(identity)?.size ?? 0) : 0;
  if (dispatches > 1) {
    return {
      verdict: 'duplicate-dispatch',
      explanation: `the same idempotency key was dispatched as ${dispatches} different activities (ids ${[...keyUse.get(identity!)!].join(', ')})`,
    };
  }
  const duplicate = duplicateRecord(state.chain?.records ?? []);
  if (duplicate) {
    return {
      verdict: 'duplicate-log',
      explanation: `attempt ${duplicate.attempt} (started ${duplicate.startedAt}) is recorded twice with the same times and outcome: one execution logged twice, not two calls`,
    };
  }
  const overlap = leaseOverlap(state, state.chain?.records ?? []);
  if (overlap) return { verdict: 'lease-overlap', explanation: overlap };
  if (state.outcome === 'pending') {
    return {
      verdict: 'pending',
      explanation: pending
        ? `attempt ${pending.attempt} pending${pending.lastFailureType ? ` after ${pending.lastFailureType}` : ''}`
        : 'scheduled, not yet closed',
      ...(pending?.nextAttemptScheduleTime ? { nextAttemptAt: pending.nextAttemptScheduleTime } : {}),
    };
  }
  if (state.redispatchedAfterMs !== undefined && state.redispatchedAfterMs < threshold) {
    return {
      verdict: 'immediate-retry',
      explanation: `the workflow dispatched ${state.activityType} again ${state.redispatchedAfterMs} ms after the previous one failed (a retry loop with no backoff)`,
    };
  }
  // With a recorded next_not_before, early means before it (less a small allowance: both times are the workers'
  // estimates of server time); without one, a gap under the threshold means no backoff at all.
  const early = attempts.find((a, i) => {
    const next = attempts[i + 1];
    // A call the provider did not process, sent again when the tool's gates allowed: not a retry without backoff.
    if (a.resentLocally) return false;
    if (!next?.startedAt) return false;
    if (a.nextNotBefore !== undefined) {
      return Date.parse(next.startedAt) < Date.parse(a.nextNotBefore) - CLOCK_ALLOWANCE_MS;
    }
    return a.observedDelayMs !== undefined && a.observedDelayMs < threshold;
  });
  if (early) {
    return {
      verdict: 'immediate-retry',
      explanation:
        `attempt ${early.attempt + 1} started ${early.observedDelayMs ?? '?'} ms after attempt ${early.attempt} ended` +
        (early.nextNotBefore ? `, before its next_not_before ${early.nextNotBefore}` : ' (no backoff)'),
    };
  }
  if (!state.chain && attempts.length > 1) {
    const inferred = inferredGapMs(state);
    if (inferred !== undefined && inferred < threshold) {
      return {
        verdict: 'immediate-retry',
        explanation: `${attempts.length} attempts in ${Math.round(inferred * (attempts.length - 1))} ms: about ${Math.round(inferred)} ms between attempts (no backoff)`,
      };
    }
  }
  if (state.outcome !== 'completed') {
    if (
      state.route?.fallback &&
      ['QuotaExhausted', 'CircuitOpen', 'BudgetExceeded'].includes(failureType ?? '')
    ) {
      return {
        verdict: 'rerouted',
        explanation: `${failureType} on route ${state.route.name}; the workflow moved to the next route`,
      };
    }
    if (failureType === 'CircuitOpen') {
      return {
        verdict: 'circuit-open-fast-fail',
        explanation: 'the last attempt was refused by an open circuit without calling the tool',
      };
    }
    if (state.outcome === 'cancelled' && !state.closedAt) {
      return {
        verdict: 'terminal-policy-failure',
        explanation: `the workflow closed while this step was still retrying, after ${attempts.length} attempt(s)`,
      };
    }
    return {
      verdict: 'terminal-policy-failure',
      explanation: `${state.outcome}${failureType ? ` with ${failureType}` : ''}${state.retryState ? ` (${state.retryState.replace('RETRY_STATE_', '').toLowerCase()})` : ''} after ${attempts.length} attempt(s)`,
    };
  }
  if (attempts.length > 1)
    return {
      verdict: 'delayed-retry',
      explanation: `completed on attempt ${attempts.length}; every retry waited its delay`,
    };
  return { verdict: 'ok', explanation: 'completed on the first attempt' };
}

/** Two records of one attempt's one execution: same attempt, start, end and outcome. */
function duplicateRecord(records: readonly AttemptRecord[]): AttemptRecord | undefined {
  const seen = new Set<string>();
  for (const r of records) {
    const identity = JSON.stringify([r.attempt, r.startedAt, r.finishedAt, r.outcome, r.reason]);
    if (seen.has(identity)) return r;
    seen.add(identity);
  }
  return undefined;
}

/**
 * Two executions of one attempt overlapping in time. Evidence, strongest first: two records of the same attempt
 * number with different starts; a record that ended after the next attempt started; an attempt lost (no recorded end)
 * to a heartbeat or start-to-close timeout while the next attempt ran, since the server hands out the next attempt
 * without being able to stop the first one's call.
 */
function leaseOverlap(state: ActivityState, records: readonly AttemptRecord[]): string | undefined {
  for (let i = 0; i < records.length; i++) {
    for (let j = i + 1; j < records.length; j++) {
      const a = records[i]!;
      const b = records[j]!;
      // A call re-sent from the worker (CAP, WAIT, or waiting for a probe) is the same execution calling again.
      if (a.resentLocally && a.attempt === b.attempt) continue;
      if (a.attempt === b.attempt && a.startedAt !== b.startedAt) {
        return `attempt ${a.attempt} ran twice: started ${a.startedAt} and ${b.startedAt}`;
      }
      if (a.finishedAt && Date.parse(a.finishedAt) > Date.parse(b.startedAt) + CLOCK_ALLOWANCE_MS) {
        const ms = Date.parse(a.finishedAt) - Date.parse(b.startedAt);
        return `attempt ${a.attempt} was still running ${ms} ms after attempt ${b.attempt} started (ended ${a.finishedAt})`;
      }
    }
  }
  // The final attempt's started event says why the one before it ended: only that pair can be judged.
  const a = records[records.length - 2];
  const b = records[records.length - 1];
  const timeout = state.previousTimeout;
  if (
    a?.outcome === 'lost' &&
    b?.attempt === state.lastAttempt &&
    timeout &&
    /HEARTBEAT|START_TO_CLOSE/.test(timeout)
  ) {
    return (
      `attempt ${a.attempt} (started ${a.startedAt}) lost its lease to a ${timeout.replace('TIMEOUT_TYPE_', '').toLowerCase().replace(/_/g, '-')} timeout ` +
      `with no recorded end, and attempt ${b.attempt} started at ${b.startedAt}: unless its worker had died, both executions ran at once`
    );
  }
  return undefined;
}

/** What makes two activities the same business intent: the idempotency key (toolkit records only). */
function dispatchIdentity(state: ActivityState): string | undefined {
  return state.chain?.records[0]?.idempotencyKey;
}

function fromChain(records: readonly AttemptRecord[]): AttemptReport[] {
  return records.map((r, i) => {
    const next = records[i + 1];
    const observed =
      next && r.finishedAt && next.startedAt
        ? Date.parse(next.startedAt) - Date.parse(r.finishedAt)
        : undefined;
    return {
      attempt: r.attempt,
      startedAt: r.startedAt,
      ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
      outcome: r.outcome,
      ...(r.kind ? { kind: r.kind } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.failureType ? { failureType: r.failureType } : {}),
      ...(r.delayMs !== undefined ? { policyDelayMs: r.delayMs } : {}),
      ...(r.nextNotBefore ? { nextNotBefore: r.nextNotBefore } : {}),
      ...(observed !== undefined ? { observedDelayMs: observed } : {}),
      ...(r.idempotencyKey ? { idempotencyKey: r.idempotencyKey } : {}),
      ...(r.cost ? { costUsd: r.cost.usd } : {}),
      ...(r.resentLocally ? { resentLocally: true } : {}),
      source: 'toolkit' as const,
    };
  });
}

function fromHistory(state: ActivityState, pending: PendingActivity | undefined): AttemptReport[] {
  const last = pending?.attempt ?? state.lastAttempt ?? 0;
  const out: AttemptReport[] = [];
  for (let n = 1; n <= last; n++) {
    const final = n === last;
    out.push({
      attempt: n,
      ...(final && state.startedAt ? { startedAt: state.startedAt } : {}),
      ...(final && state.closedAt ? { finishedAt: state.closedAt } : {}),
      outcome: final
        ? state.outcome === 'completed'
          ? 'completed'
          : state.outcome === 'pending'
            ? 'running'
            : 'failed'
        : 'failed',
      source: 'history',
    });
  }
  return out;
}

/** Without records: the average time between attempts, from the first schedule to the final attempt's start. */
function inferredGapMs(state: ActivityState): number | undefined {
  if (!state.startedAt || !state.lastAttempt || state.lastAttempt < 2) return undefined;
  return (Date.parse(state.startedAt) - Date.parse(state.scheduledAt)) / (state.lastAttempt - 1);
}

function timeoutTypeOf(failure: FailureJson | undefined): string | undefined {
  for (let current = failure; current; current = current.cause) {
    if (current.timeoutFailureInfo?.timeoutType) return current.timeoutFailureInfo.timeoutType;
  }
  return undefined;
}

/** Cents and below in sums of floating-point dollars are noise: keep 6 decimals. */
function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

function innermostApplicationFailure(
  failure: FailureJson | undefined,
): { type?: string; message?: string } | undefined {
  let current = failure;
  while (current) {
    if (current.applicationFailureInfo)
      return { type: current.applicationFailureInfo.type, message: current.message };
    if (current.timeoutFailureInfo)
      return { type: `Timeout:${current.timeoutFailureInfo.timeoutType ?? ''}`, message: current.message };
    current = current.cause;
  }
  return failure ? { message: failure.message } : undefined;
}
