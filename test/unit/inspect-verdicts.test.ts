import { describe, expect, it } from 'vitest';
import {
  analyzeHistory,
  CHAIN_MARKER,
  renderHtml,
  type AttemptRecord,
  type InspectReport,
  type JsonHistoryEvent,
} from '../../src';

const base = { activityId: '1', activityType: 'call', toolKey: 'call', idempotencyKey: 'k' };
const T = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

/** A history of one activity whose final attempt (the last record's) completed, carrying `records`. */
function history(records: AttemptRecord[], startedLastFailure?: unknown): JsonHistoryEvent[] {
  const payload = {
    metadata: {},
    data: JSON.stringify({
      marker: CHAIN_MARKER,
      result: 'ok',
      chain: { records, dropped: 0, cost: { inputTokens: 0, outputTokens: 0, usd: 0.5 } },
    }),
  };
  const last = records[records.length - 1]!;
  return [
    {
      eventId: '1',
      eventTime: T(0),
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      workflowExecutionStartedEventAttributes: { workflowType: { name: 'wf' } },
    },
    {
      eventId: '5',
      eventTime: T(0),
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
      activityTaskScheduledEventAttributes: { activityId: '1', activityType: { name: 'call' } },
    },
    {
      eventId: '6',
      eventTime: last.startedAt,
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
      activityTaskStartedEventAttributes: {
        scheduledEventId: '5',
        attempt: last.attempt,
        ...(startedLastFailure ? { lastFailure: startedLastFailure } : {}),
      },
    },
    {
      eventId: '7',
      eventTime: last.finishedAt ?? last.startedAt,
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
      activityTaskCompletedEventAttributes: { scheduledEventId: '5', result: { payloads: [payload] } },
    },
  ];
}

const analyze = (records: AttemptRecord[], lastFailure?: unknown): InspectReport =>
  analyzeHistory({
    events: history(records, lastFailure),
    decode: (p) => JSON.parse(String(p.data)),
    workflowId: 'wf',
    runId: 'r',
    status: 'completed',
  });

const failed = (attempt: number, from: number, to: number, nextNotBefore: number): AttemptRecord => ({
  ...base,
  attempt,
  startedAt: T(from),
  finishedAt: T(to),
  outcome: 'failed',
  kind: 'retry',
  reason: 'timeout',
  delayMs: (nextNotBefore - to) * 1000,
  nextNotBefore: T(nextNotBefore),
});
const completed = (attempt: number, from: number, to: number): AttemptRecord => ({
  ...base,
  attempt,
  startedAt: T(from),
  finishedAt: T(to),
  outcome: 'completed',
});
const heartbeatTimeout = {
  message: 'activity Heartbeat timeout',
  timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_HEARTBEAT' },
};

describe('verdicts duplicate-log and lease-overlap', () => {
  it('duplicate-log: the same record twice is one execution logged twice, not an immediate retry', () => {
    const twice = failed(1, 0, 1, 3);
    const step = analyze([twice, twice, completed(2, 3, 4)]).steps[0]!;
    expect(step.verdict).toBe('duplicate-log');
    expect(step.explanation).toContain('one execution logged twice');
  });

  it('identical errors on different attempts after their delay stay a delayed retry', () => {
    expect(analyze([failed(1, 0, 1, 3), failed(2, 3, 4, 6), completed(3, 6, 7)]).steps[0]!.verdict).toBe(
      'delayed-retry',
    );
  });

  it('lease-overlap: one attempt number with two different starts', () => {
    const step = analyze([failed(1, 0, 5, 6), { ...failed(1, 2, 3, 4) }, completed(2, 6, 7)]).steps[0]!;
    expect(step.verdict).toBe('lease-overlap');
    expect(step.explanation).toBe(`attempt 1 ran twice: started ${T(0)} and ${T(2)}`);
  });

  it('lease-overlap: an attempt that ended after the next one started', () => {
    const step = analyze([failed(1, 0, 5, 2), completed(2, 3, 4)]).steps[0]!;
    expect(step.verdict).toBe('lease-overlap');
    expect(step.explanation).toContain('attempt 1 was still running 2000 ms after attempt 2 started');
  });

  it('lease-overlap: an attempt lost to a heartbeat timeout while the next one ran; not without the timeout', () => {
    const lost: AttemptRecord = { ...base, attempt: 1, startedAt: T(0), outcome: 'lost' };
    const overlap = analyze([lost, completed(2, 3, 4)], heartbeatTimeout).steps[0]!;
    expect(overlap.verdict).toBe('lease-overlap');
    expect(overlap.explanation).toContain('lost its lease to a heartbeat timeout');
    // Lost without a timeout the server reported (e.g. the worker died and the task was retried): no claim.
    expect(analyze([lost, completed(2, 3, 4)]).steps[0]!.verdict).not.toBe('lease-overlap');
  });

  it('reports the cost of each step and of the execution from the chains', () => {
    const report = analyze([completed(1, 0, 1)]);
    expect(report.costUsd).toBe(0.5);
    expect(report.steps[0]!.costUsd).toBe(0.5);
  });
});

describe('renderHtml', () => {
  const step = (attempts: InspectReport['steps'][number]['attempts']) => ({
    step: 'charge#1',
    activityType: 'charge',
    activityId: '1',
    scheduledAt: T(0),
    closedAt: T(10),
    outcome: 'failed' as const,
    attempts,
    verdict: 'terminal-policy-failure' as const,
    explanation: 'x',
  });
  const report = (steps: InspectReport['steps'], toolkit = true): InspectReport => ({
    schemaVersion: 1,
    workflowId: 'w',
    runId: 'r',
    workflowType: 'wf',
    status: 'failed',
    startedAt: T(0),
    closedAt: T(10),
    toolkit,
    steps,
    compensations: [],
  });

  it('labels a budget refusal and prints reason, delays, key and cost without a hover', () => {
    const html = renderHtml(
      report([
        step([
          {
            attempt: 1,
            startedAt: T(1),
            finishedAt: T(2),
            outcome: 'failed',
            kind: 'retry',
            reason: 'http-503',
            policyDelayMs: 1500,
            observedDelayMs: 2000,
            idempotencyKey: 'key-123',
            costUsd: 0.4,
            source: 'toolkit',
          },
          {
            attempt: 2,
            startedAt: T(4),
            finishedAt: T(4),
            outcome: 'refused',
            kind: 'stop',
            reason: 'budget-exceeded',
            failureType: 'BudgetExceeded',
            source: 'toolkit',
          },
        ]),
      ]),
    );
    const visible = html.replace(/<title>[\s\S]*?<\/title>/g, '');
    for (const text of [
      '#1 RETRY http-503 $0.40',
      '#2 REFUSED: budget spent',
      'waited 2.00 s / chose 1.50 s',
      'key-123',
    ])
      expect(visible).toContain(text);
    expect(html).toContain('fill="url(#refusedHatch)"');
    // A time axis: ticks from +0 to the end of the run.
    expect(html).toContain('>+0 ms</text>');
    expect(html).toContain('>+10.0 s</text>');
  });

  it('draws a history without the toolkit from its events: earlier attempts dashed before the final one', () => {
    const html = renderHtml(
      report(
        [
          step([
            { attempt: 1, outcome: 'failed', source: 'history' },
            { attempt: 2, outcome: 'failed', source: 'history' },
            { attempt: 3, startedAt: T(8), finishedAt: T(9), outcome: 'failed', source: 'history' },
          ]),
        ],
        false,
      ),
    );
    expect(html.match(/<rect class="attempt inferred"/g)).toHaveLength(2);
    expect(html.match(/<rect class="attempt"/g)).toHaveLength(1);
    expect(html).toContain('#1 failed (inferred)');
    expect(html).toContain('no toolkit records');
  });
});
