import { describe, expect, it } from 'vitest';
import { analyzeHistory } from '../../src';
import { analyze, at, decode, failedThen, historyOf, record } from '../helpers/built-history';

// Histories built event by event (proto3 JSON, as `historyToJSON` writes them), one scenario per test: each verdict
// of `inspect`, and the cases where two verdicts are easy to confuse.

describe('inspect verdicts of completed steps', () => {
  it('a step that completed after immediate retries is an immediate retry, not a delayed one', () => {
    // Each retry started 10 ms after the failure although the policy asked for 1 s.
    const records = [failedThen(1, 0, 10, 1000), failedThen(2, 20, 30, 2000), record(3, 40, 50, 'completed')];
    const [step] = analyze([
      {
        id: '1',
        step: 'call-step',
        scheduledMs: 0,
        startedMs: 40,
        attempt: 3,
        close: { as: 'Completed', ms: 50, records },
      },
    ]).steps;
    expect(step!.outcome).toBe('completed');
    expect(step!.verdict).toBe('immediate-retry');
    expect(step!.explanation).toBe(
      `attempt 2 started 10 ms after attempt 1 ended, before its next_not_before ${at(1010)}`,
    );
  });

  it('a step that completed after retries that waited their delay is a delayed retry', () => {
    const records = [
      failedThen(1, 0, 10, 1000),
      failedThen(2, 1010, 1020, 2000),
      record(3, 3020, 3030, 'completed'),
    ];
    const [step] = analyze([
      {
        id: '1',
        step: 'call-step',
        scheduledMs: 0,
        startedMs: 3020,
        attempt: 3,
        close: { as: 'Completed', ms: 3030, records },
      },
    ]).steps;
    expect(step!.verdict).toBe('delayed-retry');
    expect(step!.explanation).toBe('completed on attempt 3; every retry waited its delay');
    expect(step!.attempts.map((a) => [a.attempt, a.outcome, a.policyDelayMs, a.observedDelayMs])).toEqual([
      [1, 'failed', 1000, 1000],
      [2, 'failed', 2000, 2000],
      [3, 'completed', undefined, undefined],
    ]);
    expect(step).toMatchObject({ idempotencyKey: 'key-1', keyStable: true, step: 'call-step' });
  });

  it('a retry up to 20 ms before next_not_before is within the clocks allowance; 21 ms is early', () => {
    const within = analyze([
      {
        id: '1',
        scheduledMs: 0,
        startedMs: 990,
        attempt: 2,
        close: {
          as: 'Completed',
          ms: 1000,
          records: [failedThen(1, 0, 10, 1000), record(2, 990, 1000, 'completed')],
        },
      },
    ]).steps[0]!;
    expect(within.verdict).toBe('delayed-retry');
    const early = analyze([
      {
        id: '1',
        scheduledMs: 0,
        startedMs: 989,
        attempt: 2,
        close: {
          as: 'Completed',
          ms: 1000,
          records: [failedThen(1, 0, 10, 1000), record(2, 989, 1000, 'completed')],
        },
      },
    ]).steps[0]!;
    expect(early.verdict).toBe('immediate-retry');
  });

  it('without a next_not_before, a gap under the threshold is immediate and one at the threshold is not', () => {
    const gap = (ms: number) =>
      analyze([
        {
          id: '1',
          scheduledMs: 0,
          startedMs: 10 + ms,
          attempt: 2,
          close: {
            as: 'Completed',
            ms: 20 + ms,
            records: [record(1, 0, 10, 'failed'), record(2, 10 + ms, 20 + ms, 'completed')],
          },
        },
      ]).steps[0]!;
    expect(gap(99).verdict).toBe('immediate-retry');
    expect(gap(99).explanation).toBe('attempt 2 started 99 ms after attempt 1 ended (no backoff)');
    expect(gap(100).verdict).toBe('delayed-retry');
  });

  it('without attempt records, a completed step infers its gaps from the final attempt', () => {
    const quick = analyze([
      { id: '1', scheduledMs: 0, startedMs: 150, attempt: 3, close: { as: 'Completed', ms: 160 } },
    ]);
    expect(quick.toolkit).toBe(false);
    expect(quick.steps[0]!.verdict).toBe('immediate-retry');
    expect(quick.steps[0]!.explanation).toBe(
      '3 attempts in 150 ms: about 75 ms between attempts (no backoff)',
    );
    expect(quick.steps[0]!.attempts.map((a) => [a.attempt, a.outcome, a.source])).toEqual([
      [1, 'failed', 'history'],
      [2, 'failed', 'history'],
      [3, 'completed', 'history'],
    ]);
    expect(quick.steps[0]!.attempts[2]).toMatchObject({ startedAt: at(150), finishedAt: at(160) });
    const slow = analyze([
      { id: '1', scheduledMs: 0, startedMs: 4000, attempt: 3, close: { as: 'Completed', ms: 4010 } },
    ]);
    expect(slow.steps[0]!.verdict).toBe('delayed-retry');
    expect(slow.steps[0]!.step).toBe('call#1');
  });

  it('a step completed on its first attempt is ok', () => {
    const report = analyze(
      [
        {
          id: '1',
          scheduledMs: 0,
          startedMs: 5,
          attempt: 1,
          close: { as: 'Completed', ms: 9, records: [record(1, 5, 9, 'completed')] },
        },
      ],
      { closedMs: 20 },
    );
    expect(report.steps[0]).toMatchObject({ verdict: 'ok', explanation: 'completed on the first attempt' });
    expect(report).toMatchObject({
      schemaVersion: 1,
      workflowId: 'wf-1',
      runId: 'run-1',
      workflowType: 'wf',
      status: 'completed',
      startedAt: at(0),
      closedAt: at(20),
      toolkit: true,
    });
  });
});

describe('inspect verdicts of failed, pending and repeated steps', () => {
  it('a terminal failure names its type and retry state', () => {
    const [step] = analyze([
      {
        id: '1',
        scheduledMs: 0,
        startedMs: 3000,
        attempt: 3,
        close: {
          as: 'Failed',
          ms: 3010,
          failureType: 'TransientFailure',
          retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED',
        },
      },
    ]).steps;
    expect(step).toMatchObject({
      outcome: 'failed',
      verdict: 'terminal-policy-failure',
      explanation: 'failed with TransientFailure (maximum_attempts_reached) after 3 attempt(s)',
      failureType: 'TransientFailure',
      failureMessage: 'TransientFailure: boom',
    });
  });

  it('a timed-out step reports the timeout type', () => {
    const [step] = analyze([
      {
        id: '1',
        scheduledMs: 0,
        startedMs: 10,
        attempt: 1,
        close: { as: 'TimedOut', ms: 5000, timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' },
      },
    ]).steps;
    expect(step).toMatchObject({
      outcome: 'timed-out',
      verdict: 'terminal-policy-failure',
      failureType: 'Timeout:TIMEOUT_TYPE_START_TO_CLOSE',
      explanation: 'timed-out with Timeout:TIMEOUT_TYPE_START_TO_CLOSE after 1 attempt(s)',
    });
  });

  it('a last attempt refused by an open circuit is a circuit-open fast fail', () => {
    const [step] = analyze([
      {
        id: '1',
        scheduledMs: 0,
        startedMs: 10,
        attempt: 1,
        close: { as: 'Failed', ms: 11, failureType: 'CircuitOpen' },
      },
    ]).steps;
    expect(step!.verdict).toBe('circuit-open-fast-fail');
  });

  it('a step left open when the workflow closed was abandoned', () => {
    const [step] = analyze([{ id: '1', scheduledMs: 0 }], { closedMs: 100 }).steps;
    expect(step).toMatchObject({
      outcome: 'cancelled',
      verdict: 'terminal-policy-failure',
      explanation: 'the workflow closed while this step was still retrying, after 0 attempt(s)',
    });
  });

  it('a pending step says which attempt runs and when the next one starts', () => {
    const [step] = analyze([{ id: '1', scheduledMs: 0 }], {
      pending: [
        {
          activityId: '1',
          attempt: 2,
          lastFailureType: 'TransientFailure',
          nextAttemptScheduleTime: at(5000),
        },
        { activityId: 'other', attempt: 9 },
      ],
    }).steps;
    expect(step).toMatchObject({
      outcome: 'pending',
      verdict: 'pending',
      explanation: 'attempt 2 pending after TransientFailure',
      nextAttemptAt: at(5000),
    });
    expect(step!.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'running'],
    ]);
    const [bare] = analyze([{ id: '1', scheduledMs: 0 }]).steps;
    expect(bare).toMatchObject({ verdict: 'pending', explanation: 'scheduled, not yet closed' });
    expect(bare!.nextAttemptAt).toBeUndefined();
  });

  it('the same idempotency key on two activities is a duplicate dispatch', () => {
    const report = analyze([
      {
        id: '1',
        step: 'charge',
        scheduledMs: 0,
        startedMs: 5,
        close: { as: 'Completed', ms: 9, records: [record(1, 5, 9, 'completed')] },
      },
      {
        id: '2',
        step: 'charge',
        scheduledMs: 20,
        startedMs: 25,
        close: { as: 'Completed', ms: 29, records: [record(1, 25, 29, 'completed', { activityId: '2' })] },
      },
    ]);
    expect(report.steps.map((s) => [s.activityId, s.verdict])).toEqual([
      ['1', 'duplicate-dispatch'],
      ['2', 'duplicate-dispatch'],
    ]);
    expect(report.steps[0]!.explanation).toBe(
      'the same idempotency key was dispatched as 2 different activities (ids 1, 2)',
    );
  });

  it('a workflow that calls a failed activity again at once is an immediate retry; after a wait it is not', () => {
    const loop = (gapMs: number) =>
      analyze([
        { id: '1', scheduledMs: 0, startedMs: 1, close: { as: 'Failed', ms: 10 } },
        {
          id: '2',
          scheduledMs: 10 + gapMs,
          startedMs: 11 + gapMs,
          close: { as: 'Completed', ms: 20 + gapMs },
        },
      ]).steps;
    const [, quick] = loop(5);
    expect(quick).toMatchObject({
      step: 'call#2',
      verdict: 'immediate-retry',
      explanation:
        'the workflow dispatched call again 5 ms after the previous one failed (a retry loop with no backoff)',
    });
    expect(loop(100)[1]!.verdict).toBe('ok');
    // A completed predecessor is not a failure being retried.
    const after = analyze([
      { id: '1', scheduledMs: 0, startedMs: 1, close: { as: 'Completed', ms: 10 } },
      { id: '2', scheduledMs: 11, startedMs: 12, close: { as: 'Completed', ms: 20 } },
    ]).steps;
    expect(after[1]!.verdict).toBe('ok');
  });

  it('sorts compensations apart from forward steps', () => {
    const report = analyze([
      { id: '1', step: 'book', scheduledMs: 0, startedMs: 1, close: { as: 'Failed', ms: 2 } },
      {
        id: '2',
        step: 'compensate:book',
        type: 'cancel',
        scheduledMs: 3,
        startedMs: 4,
        close: { as: 'Completed', ms: 5 },
      },
    ]);
    expect(report.steps.map((s) => s.step)).toEqual(['book']);
    expect(report.compensations.map((s) => [s.step, s.verdict])).toEqual([['compensate:book', 'ok']]);
  });
});

describe('inspect report fields', () => {
  it('copies every field of the attempt records, and notices a key that changed', () => {
    const records = [
      record(1, 0, 10, 'failed', {
        kind: 'wait',
        reason: 'retry-after',
        failureType: 'RateLimitWait',
        delayMs: 500,
        nextNotBefore: at(510),
        cost: { inputTokens: 1, outputTokens: 2, usd: 0.25 },
      }),
      record(2, 600, 700, 'completed', { idempotencyKey: 'key-2' }),
    ];
    const [step] = analyze([
      {
        id: '1',
        step: 'pay',
        scheduledMs: 0,
        startedMs: 600,
        attempt: 2,
        close: { as: 'Completed', ms: 700, records },
      },
    ]).steps;
    expect(step!.attempts).toEqual([
      {
        attempt: 1,
        startedAt: at(0),
        finishedAt: at(10),
        outcome: 'failed',
        kind: 'wait',
        reason: 'retry-after',
        failureType: 'RateLimitWait',
        policyDelayMs: 500,
        nextNotBefore: at(510),
        observedDelayMs: 590,
        idempotencyKey: 'key-1',
        costUsd: 0.25,
        source: 'toolkit',
      },
      {
        attempt: 2,
        startedAt: at(600),
        finishedAt: at(700),
        outcome: 'completed',
        idempotencyKey: 'key-2',
        source: 'toolkit',
      },
    ]);
    expect(step).toMatchObject({
      idempotencyKey: 'key-1',
      keyStable: false,
      scheduledAt: at(0),
      closedAt: at(700),
    });
  });

  it('names unnamed steps by type and order, and takes a step header only when it decodes to a string', () => {
    const report = analyzeHistory({
      events: historyOf([
        { id: '1', type: 'a', scheduledMs: 0 },
        { id: '2', type: 'b', scheduledMs: 1 },
        { id: '3', type: 'a', scheduledMs: 2, step: 'named' },
        { id: '4', type: 'a', scheduledMs: 3, step: 'ignored' },
      ]),
      decode: (p) => {
        const value = decode(p);
        return value === 'ignored' ? 42 : value;
      },
      workflowId: 'w',
      runId: 'r',
      status: 'running',
    });
    expect(report.steps.map((s) => s.step)).toEqual(['a#1', 'b#1', 'named', 'a#3']);
    expect(report.toolkit).toBe(false);
  });

  it.each(['COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'TIMED_OUT', 'CONTINUED_AS_NEW'])(
    'a workflow closed as %s has a closedAt and no pending steps',
    (how) => {
      const events = historyOf([{ id: '1', scheduledMs: 0 }]);
      events.push({ eventId: '99', eventTime: at(50), eventType: `EVENT_TYPE_WORKFLOW_EXECUTION_${how}` });
      const report = analyzeHistory({ events, decode, workflowId: 'w', runId: 'r', status: 'x' });
      expect(report.closedAt).toBe(at(50));
      expect(report.steps[0]!.outcome).toBe('cancelled');
    },
  );

  it('finds the innermost application failure, or the timeout, or just the message', () => {
    const withFailure = (failure: unknown) => {
      const events = historyOf([{ id: '1', scheduledMs: 0, startedMs: 1, close: { as: 'Failed', ms: 2 } }]);
      const failed = events.find((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_FAILED')!;
      (failed.activityTaskFailedEventAttributes as Record<string, unknown>).failure = failure;
      return analyzeHistory({ events, decode, workflowId: 'w', runId: 'r', status: 'failed' }).steps[0]!;
    };
    expect(
      withFailure({
        message: 'a',
        cause: { message: 'b', cause: { message: 'c', applicationFailureInfo: { type: 'Deep' } } },
      }),
    ).toMatchObject({ failureType: 'Deep', failureMessage: 'c' });
    expect(withFailure({ message: 'a', cause: { message: 't', timeoutFailureInfo: {} } })).toMatchObject({
      failureType: 'Timeout:',
      failureMessage: 't',
    });
    const plain = withFailure({ message: 'only a message' });
    expect(plain.failureMessage).toBe('only a message');
    expect(plain.failureType).toBeUndefined();
    expect(plain.explanation).toBe('failed after 1 attempt(s)');
  });

  it('a custom threshold changes what counts as immediate', () => {
    const events = historyOf([
      { id: '1', scheduledMs: 0, startedMs: 300, attempt: 2, close: { as: 'Completed', ms: 310 } },
    ]);
    const judge = (immediateThresholdMs?: number) =>
      analyzeHistory({
        events,
        decode,
        workflowId: 'w',
        runId: 'r',
        status: 'completed',
        immediateThresholdMs,
      }).steps[0]!.verdict;
    expect(judge()).toBe('delayed-retry');
    expect(judge(301)).toBe('immediate-retry');
    expect(judge(300)).toBe('delayed-retry');
  });
});
