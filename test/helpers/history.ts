import type { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Milliseconds of an event's timestamp (server time: virtual time on the time-skipping server). */
export function eventTimeMs(event: HistoryEvent): number {
  const t = event.eventTime;
  if (!t) throw new Error(`event ${String(event.eventId)} has no eventTime`);
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** The workflow's history events. */
export async function historyEvents(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  const history = await handle.fetchHistory();
  return history.events ?? [];
}

/** Server time from the workflow's first event to its last: how long it took in (possibly skipped) time. */
export function serverDurationMs(events: HistoryEvent[]): number {
  const first = events[0];
  const last = events[events.length - 1];
  if (!first || !last) throw new Error('empty history');
  return eventTimeMs(last) - eventTimeMs(first);
}

/** The attempt numbers recorded on the activity-task-started events (the final attempt of each activity). */
export function activityStartedAttempts(events: HistoryEvent[]): number[] {
  return events
    .filter((e) => e.activityTaskStartedEventAttributes)
    .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
}

/** The activity's started event (final attempt) and its scheduled event. */
export function activityTimeline(events: HistoryEvent[]): {
  scheduledMs: number;
  startedMs: number;
  attempt: number;
} {
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes);
  const started = events.find((e) => e.activityTaskStartedEventAttributes);
  if (!scheduled || !started) throw new Error('no activity in history');
  return {
    scheduledMs: eventTimeMs(scheduled),
    startedMs: eventTimeMs(started),
    attempt: started.activityTaskStartedEventAttributes!.attempt ?? 0,
  };
}

/** The application failure recorded on the activity-task-failed event, if the activity failed. */
export function activityFailure(events: HistoryEvent[]) {
  const failed = events.find((e) => e.activityTaskFailedEventAttributes);
  const failure = failed?.activityTaskFailedEventAttributes?.failure;
  return failure
    ? {
        message: failure.message ?? '',
        type: failure.applicationFailureInfo?.type ?? '',
        nonRetryable: failure.applicationFailureInfo?.nonRetryable ?? false,
      }
    : undefined;
}
