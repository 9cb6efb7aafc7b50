// Workflow histories built event by event, in proto3 JSON as `historyToJSON` writes them, for unit tests of
// `analyzeHistory` (inspect): each activity is scheduled, optionally started at its final attempt and closed, with or
// without the toolkit's attempt records.
import {
  analyzeHistory,
  CHAIN_MARKER,
  HEADERS,
  type AttemptRecord,
  type JsonHistoryEvent,
  type JsonPayload,
  type PendingActivity,
} from '../../src';

export const T0 = Date.UTC(2026, 0, 1);
export const at = (ms: number) => new Date(T0 + ms).toISOString();
export const payload = (value: unknown): JsonPayload => ({ metadata: {}, data: JSON.stringify(value) });
export const decode = (p: JsonPayload) =>
  p.data === undefined ? undefined : (JSON.parse(p.data) as unknown);
export const chainOf = (records: AttemptRecord[]) => ({
  marker: CHAIN_MARKER,
  chain: { records, dropped: 0, cost: { inputTokens: 0, outputTokens: 0, usd: 0 } },
});

export interface ActivitySpec {
  readonly id: string;
  readonly type?: string;
  readonly step?: string;
  readonly scheduledMs: number;
  /** The final attempt's start and number (absent: never started). */
  readonly startedMs?: number;
  readonly attempt?: number;
  readonly close?: {
    readonly as: 'Completed' | 'Failed' | 'TimedOut' | 'Canceled';
    readonly ms: number;
    readonly records?: AttemptRecord[];
    readonly failureType?: string;
    readonly timeoutType?: string;
    readonly retryState?: string;
  };
}

export function historyOf(specs: ActivitySpec[], workflowClosedMs?: number): JsonHistoryEvent[] {
  let id = 1;
  const events: JsonHistoryEvent[] = [
    {
      eventId: String(id++),
      eventTime: at(0),
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      workflowExecutionStartedEventAttributes: { workflowType: { name: 'wf' } },
    },
  ];
  const timed: Array<{ ms: number; event: Omit<JsonHistoryEvent, 'eventId'> }> = [];
  for (const spec of specs) {
    const scheduledEventId = `s${spec.id}`;
    const type = spec.type ?? 'call';
    timed.push({
      ms: spec.scheduledMs,
      event: {
        eventTime: at(spec.scheduledMs),
        eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
        activityTaskScheduledEventAttributes: {
          activityId: spec.id,
          activityType: { name: type },
          ...(spec.step ? { header: { fields: { [HEADERS.step]: payload(spec.step) } } } : {}),
        },
        scheduledEventId,
      },
    });
    if (spec.startedMs !== undefined) {
      timed.push({
        ms: spec.startedMs,
        event: {
          eventTime: at(spec.startedMs),
          eventType: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
          activityTaskStartedEventAttributes: { scheduledEventId, attempt: spec.attempt ?? 1 },
        },
      });
    }
    const close = spec.close;
    if (close) {
      const attributes: Record<string, unknown> = { scheduledEventId };
      if (close.as === 'Completed') {
        attributes.result = { payloads: [payload(close.records ? chainOf(close.records) : 'plain')] };
      } else {
        attributes.failure = close.timeoutType
          ? { message: 'timed out', timeoutFailureInfo: { timeoutType: close.timeoutType } }
          : {
              message: 'activity failed',
              cause: {
                message: `${close.failureType ?? 'TransientFailure'}: boom`,
                applicationFailureInfo: {
                  type: close.failureType ?? 'TransientFailure',
                  details: { payloads: close.records ? [payload(chainOf(close.records))] : [] },
                },
              },
            };
        if (close.retryState) attributes.retryState = close.retryState;
      }
      timed.push({
        ms: close.ms,
        event: {
          eventTime: at(close.ms),
          eventType: `EVENT_TYPE_ACTIVITY_TASK_${close.as.toUpperCase()}`,
          [`activityTask${close.as}EventAttributes`]: attributes,
        },
      });
    }
  }
  timed.sort((a, b) => a.ms - b.ms);
  // Scheduled events are referred to by id: give each its real id.
  const ids = new Map<string, string>();
  for (const { event } of timed) {
    const eventId = String(id++);
    const ref = event.scheduledEventId as string | undefined;
    const copy: Record<string, unknown> = { ...event, eventId };
    delete copy.scheduledEventId;
    if (event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') ids.set(ref!, eventId);
    for (const [name, value] of Object.entries(copy)) {
      if (name.endsWith('EventAttributes') && (value as { scheduledEventId?: string }).scheduledEventId) {
        const attrs = value as { scheduledEventId: string };
        copy[name] = { ...attrs, scheduledEventId: ids.get(attrs.scheduledEventId) };
      }
    }
    events.push(copy as unknown as JsonHistoryEvent);
  }
  if (workflowClosedMs !== undefined) {
    events.push({
      eventId: String(id++),
      eventTime: at(workflowClosedMs),
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    });
  }
  return events;
}

export const analyze = (
  specs: ActivitySpec[],
  extra: { closedMs?: number; pending?: PendingActivity[] } = {},
) =>
  analyzeHistory({
    events: historyOf(specs, extra.closedMs),
    decode,
    workflowId: 'wf-1',
    runId: 'run-1',
    status: extra.closedMs !== undefined ? 'completed' : 'running',
    ...(extra.pending ? { pending: extra.pending } : {}),
  });

export const record = (
  attempt: number,
  startedMs: number,
  finishedMs: number,
  outcome: AttemptRecord['outcome'],
  more: Partial<AttemptRecord> = {},
): AttemptRecord => ({
  attempt,
  activityId: '1',
  activityType: 'call',
  toolKey: 'call',
  step: 'call-step',
  idempotencyKey: 'key-1',
  startedAt: at(startedMs),
  finishedAt: at(finishedMs),
  outcome,
  ...more,
});
export const failedThen = (attempt: number, startedMs: number, finishedMs: number, delayMs: number) =>
  record(attempt, startedMs, finishedMs, 'failed', {
    kind: 'retry',
    reason: 'http-503',
    failureType: 'TransientFailure',
    delayMs,
    nextNotBefore: at(finishedMs + delayMs),
  });
