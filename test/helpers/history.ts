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

/**
 * Polls the workflow's history until `matches` finds an event, and returns it: a test that must act after something
 * happened waits for the event itself, not for a time. `timeoutMs` only turns a hang into a failure that says what
 * was awaited; it is not a timing assertion.
 */
export async function waitForEvent(
  handle: WorkflowHandle,
  what: string,
  matches: (event: HistoryEvent, events: HistoryEvent[]) => boolean,
  timeoutMs = 120_000,
): Promise<HistoryEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await historyEvents(handle);
    const found = events.find((e) => matches(e, events));
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no ${what} in the history of ${handle.workflowId} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Matches the completed event of an activity of type `activityType` (for {@link waitForEvent}). */
export function activityCompleted(activityType: string) {
  return (event: HistoryEvent, events: HistoryEvent[]): boolean => {
    const scheduledId = event.activityTaskCompletedEventAttributes?.scheduledEventId;
    if (scheduledId === undefined || scheduledId === null) return false;
    const scheduled = events.find((e) => Number(e.eventId) === Number(scheduledId));
    return scheduled?.activityTaskScheduledEventAttributes?.activityType?.name === activityType;
  };
}
