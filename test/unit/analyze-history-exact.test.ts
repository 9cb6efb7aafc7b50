// Pins what `inspect` concludes from a workflow history in the cases the other analyze-history tests leave open: the
// chain carried in result metadata (base64 JSON beside the user's value), fallback-route headers and the `rerouted`
// verdict, retry loops in workflow code, calls re-sent from the worker, the lease-overlap evidence and its exact
// boundaries, and the exact explanations. A user reads these verdicts at 2 a.m. to decide whether retries were sane.
import { describe, expect, it } from 'vitest';
import { CHAIN_MARKER, type AttemptRecord } from '../../src/attempts/attempt-record';
import { CHAIN_METADATA_KEY, type ChainWire } from '../../src/attempts/chain-wire';
import { analyzeHistory, type JsonHistoryEvent, type JsonPayload } from '../../src/forensics/analyze-history';
import { HEADERS } from '../../src/headers';

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms).toISOString();
const JSON_PLAIN = 'anNvbi9wbGFpbg==';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const payload = (value: unknown, more: Record<string, string> = {}): JsonPayload => ({
  metadata: { encoding: JSON_PLAIN, ...more },
  data: b64(value),
});
/** A decoder that, like the CLI's, reads only JSON payloads. */
const decode = (p: JsonPayload): unknown =>
  p.metadata?.encoding === JSON_PLAIN && p.data !== undefined
    ? (JSON.parse(Buffer.from(p.data, 'base64').toString('utf8')) as unknown)
    : undefined;

/** Builds events with increasing ids; `schedule` returns the scheduled event's id. */
function builder() {
  const events: JsonHistoryEvent[] = [];
  const push = (ms: number, eventType: string, attrs: Record<string, unknown> = {}) => {
    const eventId = String(events.length + 1);
    events.push({ eventId, eventTime: at(ms), eventType, ...attrs });
    return eventId;
  };
  return {
    events,
    workflowStarted: (ms = 0) =>
      push(ms, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', {
        workflowExecutionStartedEventAttributes: { workflowType: { name: 'wf' } },
      }),
    schedule: (ms: number, id: string, type = 'call', fields: Record<string, JsonPayload> = {}) =>
      push(ms, 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', {
        activityTaskScheduledEventAttributes: {
          activityId: id,
          activityType: { name: type },
          header: { fields },
        },
      }),
    start: (ms: number, scheduledEventId: string, attempt: number, lastFailure?: unknown) =>
      push(ms, 'EVENT_TYPE_ACTIVITY_TASK_STARTED', {
        activityTaskStartedEventAttributes: {
          scheduledEventId,
          attempt,
          ...(lastFailure ? { lastFailure } : {}),
        },
      }),
    complete: (ms: number, scheduledEventId: string, result: JsonPayload = payload('ok')) =>
      push(ms, 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED', {
        activityTaskCompletedEventAttributes: { scheduledEventId, result: { payloads: [result] } },
      }),
    fail: (ms: number, scheduledEventId: string, type: string) =>
      push(ms, 'EVENT_TYPE_ACTIVITY_TASK_FAILED', {
        activityTaskFailedEventAttributes: {
          scheduledEventId,
          failure: { message: `${type}: boom`, applicationFailureInfo: { type } },
        },
      }),
    cancel: (ms: number, scheduledEventId: string) =>
      push(ms, 'EVENT_TYPE_ACTIVITY_TASK_CANCELED', {
        activityTaskCanceledEventAttributes: { scheduledEventId },
      }),
    workflowCompleted: (ms: number) => push(ms, 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED'),
  };
}

const run = (events: JsonHistoryEvent[]) =>
  analyzeHistory({ events, decode, workflowId: 'wf-1', runId: 'run-1', status: 'completed' });

const rec = (
  attempt: number,
  startedMs: number,
  finishedMs: number | undefined,
  outcome: AttemptRecord['outcome'],
  more: Partial<AttemptRecord> = {},
): AttemptRecord => ({
  attempt,
  activityId: '1',
  activityType: 'call',
  toolKey: 'call',
  startedAt: at(startedMs),
  ...(finishedMs !== undefined ? { finishedAt: at(finishedMs) } : {}),
  outcome,
  ...more,
});
const withChain = (records: AttemptRecord[]) =>
  payload({
    marker: CHAIN_MARKER,
    result: 'ok',
    chain: { records, dropped: 0, cost: { inputTokens: 0, outputTokens: 0, usd: 0 } },
  });

/** One activity `1` of type `call`, final attempt `attempt` started at `startMs`, completed with these records. */
function oneStep(
  records: AttemptRecord[],
  attempt = records.at(-1)?.attempt ?? 1,
  startMs = 0,
  lastFailure?: unknown,
) {
  const h = builder();
  h.workflowStarted();
  const s = h.schedule(0, '1');
  h.start(startMs, s, attempt, lastFailure);
  h.complete(startMs + 10_000, s, withChain(records));
  h.workflowCompleted(20_000);
  return run(h.events).steps[0]!;
}

describe('empty and unnamed input', () => {
  it('an empty history gives an empty report with no start, type or cost', () => {
    expect(run([])).toEqual({
      schemaVersion: 1,
      workflowId: 'wf-1',
      runId: 'run-1',
      workflowType: '',
      status: 'completed',
      startedAt: '',
      toolkit: false,
      steps: [],
      compensations: [],
    });
    expect('costUsd' in run([])).toBe(false);
  });

  it('events without a workflow type, activity type or activity id read as empty strings', () => {
    const events: JsonHistoryEvent[] = [
      {
        eventId: '1',
        eventTime: at(5),
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        workflowExecutionStartedEventAttributes: {},
      },
      {
        eventId: '2',
        eventTime: at(6),
        eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
        activityTaskScheduledEventAttributes: {},
      },
    ];
    const report = run(events);
    expect(report.workflowType).toBe('');
    expect(report.startedAt).toBe(at(5));
    expect(report.steps[0]).toMatchObject({ step: '#1', activityType: '', activityId: '' });
  });
});

describe('a chain carried in the result metadata', () => {
  it('reads every record from the base64 JSON beside the result, with the shared key and the chain cost', () => {
    const wire: ChainWire = {
      v: 1,
      r: [
        { a: 1, o: 'f', s: T0 + 100, f: 50, n: 1050, k: 'retry', r: 'http-503', d: 1000 },
        { a: 2, s: T0 + 1200, f: 30 },
      ],
      k: 'key-9',
      c: { inputTokens: 1, outputTokens: 2, usd: 0.25 },
    };
    const h = builder();
    h.workflowStarted();
    const s = h.schedule(0, '1');
    h.start(1200, s, 2);
    h.complete(1230, s, payload('ok', { [CHAIN_METADATA_KEY]: b64(wire) }));
    h.workflowCompleted(2000);
    const report = run(h.events);
    expect(report.toolkit).toBe(true);
    expect(report.costUsd).toBe(0.25);
    const step = report.steps[0]!;
    expect(step.attempts).toEqual([
      {
        attempt: 1,
        startedAt: at(100),
        finishedAt: at(150),
        outcome: 'failed',
        kind: 'retry',
        reason: 'http-503',
        failureType: 'TransientFailure',
        policyDelayMs: 1000,
        nextNotBefore: at(1150),
        observedDelayMs: 1050,
        idempotencyKey: 'key-9',
        source: 'toolkit',
      },
      {
        attempt: 2,
        startedAt: at(1200),
        finishedAt: at(1230),
        outcome: 'completed',
        idempotencyKey: 'key-9',
        source: 'toolkit',
      },
    ]);
    // Absent fields are absent, not present as undefined (JSON output and `in` checks see the difference).
    expect(Object.keys(step.attempts[1]!).sort()).toEqual([
      'attempt',
      'finishedAt',
      'idempotencyKey',
      'outcome',
      'source',
      'startedAt',
    ]);
    expect(step).toMatchObject({
      idempotencyKey: 'key-9',
      keyStable: true,
      costUsd: 0.25,
      verdict: 'delayed-retry',
    });
  });

  it('an empty record list is read without error as a step with no attempts', () => {
    const h = builder();
    h.workflowStarted();
    const s = h.schedule(0, '1');
    h.complete(10, s, payload('ok', { [CHAIN_METADATA_KEY]: b64({ v: 1, r: [] }) }));
    const step = run(h.events).steps[0]!;
    expect(step.attempts).toEqual([]);
    expect(step.verdict).toBe('ok');
  });
});

describe('idempotency keys of a chain', () => {
  it('a record without a key does not count as a second key', () => {
    const step = oneStep([
      rec(1, 0, 10, 'failed', { nextNotBefore: at(500) }),
      rec(2, 1000, 1010, 'completed', { idempotencyKey: 'k' }),
    ]);
    expect(step.idempotencyKey).toBe('k');
    expect(step.keyStable).toBe(true);
  });

  it('a chain with no key reports none', () => {
    const step = oneStep([rec(1, 0, 10, 'completed')]);
    expect('idempotencyKey' in step).toBe(false);
    expect(step.keyStable).toBe(true);
  });
});

describe('fallback routes', () => {
  const route = (index: number | undefined, fallback: boolean) => ({
    [HEADERS.route]: payload({
      route: 'primary',
      toolKey: 'call',
      ...(index !== undefined ? { index } : {}),
      fallback,
    }),
  });

  for (const type of ['QuotaExhausted', 'CircuitOpen', 'BudgetExceeded']) {
    it(`${type} on a route with a fallback is rerouted`, () => {
      const h = builder();
      h.workflowStarted();
      const s = h.schedule(0, '1', 'call', route(0, true));
      h.start(1, s, 1);
      h.fail(10, s, type);
      const step = run(h.events).steps[0]!;
      expect(step.route).toEqual({ name: 'primary', index: 0 });
      expect(step.verdict).toBe('rerouted');
      expect(step.explanation).toBe(`${type} on route primary; the workflow moved to the next route`);
    });
  }

  it('without a fallback, or with another failure type, the failure is terminal', () => {
    for (const [fallback, type] of [
      [false, 'QuotaExhausted'],
      [true, 'PermanentFailure'],
    ] as const) {
      const h = builder();
      h.workflowStarted();
      const s = h.schedule(0, '1', 'call', route(2, fallback));
      h.start(1, s, 1);
      h.fail(10, s, type);
      const step = run(h.events).steps[0]!;
      expect(step.route).toEqual({ name: 'primary', index: 2 });
      expect(step.verdict).toBe('terminal-policy-failure');
    }
  });

  it('a route without an index is the first route', () => {
    const h = builder();
    h.workflowStarted();
    h.schedule(0, '1', 'call', route(undefined, false));
    expect(run(h.events).steps[0]!.route).toEqual({ name: 'primary', index: 0 });
  });

  it('the same type scheduled at once after a failure is a retry loop on route 0 and a reroute on route 1', () => {
    const verdictOf = (index: number) => {
      const h = builder();
      h.workflowStarted();
      const a = h.schedule(0, '1', 'call', route(0, false));
      h.start(1, a, 1);
      h.fail(1000, a, 'TransientFailure');
      const b = h.schedule(1010, '2', 'call', route(index, false));
      h.start(1011, b, 1);
      h.complete(1020, b);
      return run(h.events).steps[1]!.verdict;
    };
    expect(verdictOf(0)).toBe('immediate-retry');
    expect(verdictOf(1)).toBe('ok');
  });
});

describe('retry loops in workflow code', () => {
  it('compares a dispatch with the latest earlier one of its type, not the first', () => {
    const h = builder();
    h.workflowStarted();
    const a = h.schedule(0, '1');
    h.start(1, a, 1);
    h.fail(1000, a, 'TransientFailure');
    const b = h.schedule(1001, '2');
    h.start(1001, b, 1);
    h.complete(1002, b);
    const c = h.schedule(1005, '3');
    h.start(1006, c, 1);
    h.complete(1007, c);
    const steps = run(h.events).steps;
    expect(steps.map((s) => s.verdict)).toEqual(['terminal-policy-failure', 'immediate-retry', 'ok']);
  });
});

describe('calls re-sent from the worker', () => {
  it('a re-sent call and the next send of the same attempt are neither an immediate retry nor an overlap', () => {
    const step = oneStep([rec(1, 0, 100, 'failed', { resentLocally: true }), rec(1, 105, 200, 'completed')]);
    expect(step.verdict).toBe('delayed-retry');
    expect(step.attempts[0]!.resentLocally).toBe(true);
    expect('resentLocally' in step.attempts[1]!).toBe(false);
  });

  it('a re-sent call still running after the next attempt started is an overlap', () => {
    const step = oneStep([rec(1, 0, 500, 'failed', { resentLocally: true }), rec(2, 100, 600, 'completed')]);
    expect(step.verdict).toBe('lease-overlap');
    expect(step.explanation).toBe(
      `attempt 1 was still running 400 ms after attempt 2 started (ended ${at(500)})`,
    );
  });
});

describe('early retries and overlaps from the records', () => {
  it('an attempt without an end that was followed before its next_not_before shows "?" for the gap', () => {
    const step = oneStep([
      rec(1, 0, undefined, 'failed', { nextNotBefore: at(1000) }),
      rec(2, 500, 600, 'completed'),
    ]);
    expect(step.verdict).toBe('immediate-retry');
    expect(step.explanation).toBe(
      `attempt 2 started ? ms after attempt 1 ended, before its next_not_before ${at(1000)}`,
    );
  });

  it('two records of one attempt with the same start are one execution, not an overlap', () => {
    const step = oneStep([rec(1, 0, 10, 'failed', { nextNotBefore: at(0) }), rec(1, 0, 10, 'completed')]);
    expect(step.verdict).toBe('delayed-retry');
  });

  it('an attempt that ended exactly the clock allowance (20 ms) after the next one started is no overlap; 21 ms is', () => {
    const at20 = oneStep([
      rec(1, 0, 1020, 'failed', { nextNotBefore: at(1000) }),
      rec(2, 1000, 1100, 'completed'),
    ]);
    expect(at20.verdict).toBe('delayed-retry');
    const at21 = oneStep([
      rec(1, 0, 1021, 'failed', { nextNotBefore: at(1000) }),
      rec(2, 1000, 1100, 'completed'),
    ]);
    expect(at21.verdict).toBe('lease-overlap');
    expect(at21.explanation).toBe(
      `attempt 1 was still running 21 ms after attempt 2 started (ended ${at(1021)})`,
    );
  });

  it('with records, the final attempt starting soon after scheduling is not judged from history timing', () => {
    const step = oneStep(
      [rec(1, 0, 10, 'failed'), rec(2, 1000, 1010, 'failed'), rec(3, 2000, 2010, 'completed')],
      3,
      50,
    );
    expect(step.verdict).toBe('delayed-retry');
    expect(step.explanation).toBe('completed on attempt 3; every retry waited its delay');
  });
});

describe('a lost attempt and the timeout that ended it', () => {
  const timeout = {
    message: 'timed out',
    timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' },
  };

  it('a lost attempt followed by the final one after a start-to-close timeout is a lease overlap', () => {
    const step = oneStep([rec(1, 0, undefined, 'lost'), rec(2, 5000, 5100, 'completed')], 2, 5000, timeout);
    expect(step.verdict).toBe('lease-overlap');
    expect(step.explanation).toBe(
      `attempt 1 (started ${at(0)}) lost its lease to a start-to-close timeout with no recorded end, and attempt 2 ` +
        `started at ${at(5000)}: unless its worker had died, both executions ran at once`,
    );
  });

  it('a failed (not lost) attempt before the final one is no overlap', () => {
    const step = oneStep([rec(1, 0, 100, 'failed'), rec(2, 5000, 5100, 'completed')], 2, 5000, timeout);
    expect(step.verdict).toBe('delayed-retry');
  });

  it('when the last record is not the final attempt, the timeout says nothing about it', () => {
    const step = oneStep([rec(1, 0, undefined, 'lost'), rec(2, 5000, 5100, 'completed')], 3, 5000, timeout);
    expect(step.verdict).toBe('delayed-retry');
  });

  it('a single record after a timeout is read without error', () => {
    const step = oneStep([rec(2, 5000, 5100, 'completed')], 2, 5000, timeout);
    expect(step.verdict).toBe('ok');
  });
});

describe('terminal explanations', () => {
  it('CircuitOpen without a route is a fast fail', () => {
    const h = builder();
    h.workflowStarted();
    const s = h.schedule(0, '1');
    h.start(1, s, 1);
    h.fail(10, s, 'CircuitOpen');
    const step = run(h.events).steps[0]!;
    expect(step.verdict).toBe('circuit-open-fast-fail');
    expect(step.explanation).toBe('the last attempt was refused by an open circuit without calling the tool');
  });

  it('an activity cancelled with its own event is not "still retrying"', () => {
    const h = builder();
    h.workflowStarted();
    const s = h.schedule(0, '1');
    h.start(1, s, 1);
    h.cancel(10, s);
    h.workflowCompleted(20);
    const step = run(h.events).steps[0]!;
    expect(step.outcome).toBe('cancelled');
    expect(step.verdict).toBe('terminal-policy-failure');
    expect(step.explanation).toBe('cancelled after 1 attempt(s)');
  });
});
