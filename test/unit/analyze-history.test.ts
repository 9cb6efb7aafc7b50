import { describe, expect, it } from 'vitest';
import { analyzeHistory, CHAIN_MARKER, type AttemptRecord, type JsonHistoryEvent } from '../../src';

const base = { activityId: '1', activityType: 'call', toolKey: 'call', idempotencyKey: 'k' };

/** A history of one activity that failed with the given chain in its failure details. */
function history(records: AttemptRecord[]): JsonHistoryEvent[] {
  const payload = {
    metadata: {},
    data: JSON.stringify({
      marker: CHAIN_MARKER,
      chain: { records, dropped: 0, cost: { inputTokens: 0, outputTokens: 0, usd: 0 } },
    }),
  };
  return [
    {
      eventId: '1',
      eventTime: '2026-01-01T00:00:00.000Z',
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      workflowExecutionStartedEventAttributes: { workflowType: { name: 'wf' } },
    },
    {
      eventId: '5',
      eventTime: '2026-01-01T00:00:00.000Z',
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
      activityTaskScheduledEventAttributes: { activityId: '1', activityType: { name: 'call' } },
    },
    {
      eventId: '6',
      eventTime: '2026-01-01T00:00:01.000Z',
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
      activityTaskStartedEventAttributes: { scheduledEventId: '5', attempt: records.length },
    },
    {
      eventId: '7',
      eventTime: '2026-01-01T00:00:01.000Z',
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_FAILED',
      activityTaskFailedEventAttributes: {
        scheduledEventId: '5',
        failure: {
          message: 'x',
          applicationFailureInfo: { type: 'TransientFailure', details: { payloads: [payload] } },
        },
      },
    },
  ];
}

const analyze = (records: AttemptRecord[]) =>
  analyzeHistory({
    events: history(records),
    decode: (p) => JSON.parse(String(p.data)),
    workflowId: 'wf',
    runId: 'r',
    status: 'failed',
  }).steps[0]!;

describe('analyzeHistory verdicts from attempt records', () => {
  const failed = (
    attempt: number,
    startedAt: string,
    finishedAt: string,
    nextNotBefore: string,
    delayMs: number,
  ): AttemptRecord => ({
    ...base,
    attempt,
    startedAt,
    finishedAt,
    outcome: 'failed',
    kind: 'retry',
    reason: 'http-503',
    delayMs,
    nextNotBefore,
  });

  it('a short delay that was respected is not an immediate retry', () => {
    const step = analyze([
      failed(1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.010Z', '2026-01-01T00:00:00.060Z', 50),
      failed(2, '2026-01-01T00:00:00.065Z', '2026-01-01T00:00:00.070Z', '2026-01-01T00:00:01.000Z', 900),
    ]);
    expect(step.verdict).toBe('terminal-policy-failure');
    expect(step.attempts[0]!.observedDelayMs).toBe(55);
  });

  it('a retry before next_not_before is immediate', () => {
    const step = analyze([
      failed(1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.010Z', '2026-01-01T00:00:05.000Z', 4990),
      failed(2, '2026-01-01T00:00:00.500Z', '2026-01-01T00:00:00.510Z', '2026-01-01T00:00:10.000Z', 9490),
    ]);
    expect(step.verdict).toBe('immediate-retry');
    expect(step.explanation).toContain('before its next_not_before');
  });
});
