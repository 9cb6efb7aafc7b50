import { describe, expect, it } from 'vitest';
import { analyzeFleet, type FleetEntry, type InspectReport } from '../../src';
import { execution, failedStep, fleetOf, T, T0 } from '../helpers/inspect-reports';

// `inspect --query` across a fleet, the parts fleet-report.test.ts does not reach: the workflow dispatching a failed
// activity again at once, retries without a recorded window, where a stall starts, and what the report echoes back.

type Step = InspectReport['steps'][number];
type Attempt = Step['attempts'][number];

const step = failedStep;
const attempt = (n: number, fromMs: number, toMs: number, more: Partial<Attempt> = {}): Attempt => ({
  attempt: n,
  startedAt: new Date(T0 + fromMs).toISOString(),
  finishedAt: new Date(T0 + toMs).toISOString(),
  outcome: 'failed',
  failureType: 'TransientFailure',
  source: 'history',
  ...more,
});

describe('the same error inside the backoff window', () => {
  it('a workflow that dispatches a failed activity again at once, meeting the same error', () => {
    const steps = [
      step({ activityId: '1', closedAt: T(1), failureType: 'RateLimited' }),
      step({ step: 'search#2', activityId: '2', scheduledAt: T(1.05), failureType: 'RateLimited' }),
    ];
    expect(fleetOf([{ report: execution('loop', { steps }) }]).sameErrorInsideBackoff).toEqual([
      {
        workflowId: 'loop',
        runId: 'run-loop',
        workflowType: 'agent',
        step: 'search#2',
        activityType: 'search',
        error: 'RateLimited',
        first: 'activity 1',
        second: 'activity 2',
        gapMs: 50,
      },
    ]);
  });

  it('not when the second dispatch waited the threshold, met another error, completed, or follows a completed one', () => {
    const first = step({ activityId: '1', closedAt: T(1), failureType: 'RateLimited' });
    const again = (more: Partial<Step>) =>
      fleetOf([
        {
          report: execution('x', {
            steps: [first, step({ activityId: '2', failureType: 'RateLimited', ...more })],
          }),
        },
      ]).sameErrorInsideBackoff;
    expect(again({ scheduledAt: T(1.1) })).toEqual([]);
    expect(again({ scheduledAt: T(1.05), failureType: 'Other' })).toEqual([]);
    expect(again({ scheduledAt: T(1.05), outcome: 'completed' })).toEqual([]);
    const done = step({ activityId: '1', closedAt: T(1), outcome: 'completed', failureType: 'RateLimited' });
    expect(
      fleetOf([
        {
          report: execution('y', {
            steps: [done, step({ activityId: '2', scheduledAt: T(1.05), failureType: 'RateLimited' })],
          }),
        },
      ]).sameErrorInsideBackoff,
    ).toEqual([]);
  });

  it('falls back to the failure message when there is no failure type', () => {
    const steps = [
      step({ activityId: '1', closedAt: T(1), failureMessage: 'boom' }),
      step({ activityId: '2', scheduledAt: T(1.01), failureMessage: 'boom' }),
    ];
    expect(fleetOf([{ report: execution('m', { steps }) }]).sameErrorInsideBackoff[0]?.error).toBe('boom');
  });

  it('without a recorded window, a retry under the threshold after the same failure type is inside it', () => {
    const quick = step({ attempts: [attempt(1, 0, 1_000), attempt(2, 1_099, 1_200)] });
    const fleet = fleetOf([{ report: execution('q', { steps: [quick] }) }]);
    expect(fleet.sameErrorInsideBackoff).toEqual([
      expect.objectContaining({
        error: 'TransientFailure',
        first: 'attempt 1',
        second: 'attempt 2',
        gapMs: 99,
      }),
    ]);
    expect(fleet.sameErrorInsideBackoff[0]).not.toHaveProperty('windowMs');
    const slow = step({ attempts: [attempt(1, 0, 1_000), attempt(2, 1_100, 1_200)] });
    expect(fleetOf([{ report: execution('s', { steps: [slow] }) }]).sameErrorInsideBackoff).toEqual([]);
  });

  it('an attempt that completed, or an error without a name, is not a repeated error', () => {
    const completed = step({
      attempts: [attempt(1, 0, 1_000, { outcome: 'completed' }), attempt(2, 1_010, 1_200)],
    });
    const unnamed = step({
      attempts: [
        attempt(1, 0, 1_000, { failureType: undefined }),
        attempt(2, 1_010, 1_200, { failureType: undefined }),
      ],
    });
    expect(
      fleetOf([{ report: execution('c', { steps: [completed, unnamed] }) }]).sameErrorInsideBackoff,
    ).toEqual([]);
  });

  it('names the error by class and reason when the toolkit recorded them', () => {
    const classified = step({
      attempts: [
        attempt(1, 0, 1_000, { kind: 'cap', reason: 'no-retry-after' }),
        attempt(2, 1_010, 1_200, { kind: 'cap', reason: 'no-retry-after' }),
      ],
    });
    const reasonOnly = step({
      attempts: [attempt(1, 0, 1_000, { reason: 'mine' }), attempt(2, 1_010, 1_200, { reason: 'mine' })],
    });
    expect(
      fleetOf([{ report: execution('k', { steps: [classified, reasonOnly] }) }]).sameErrorInsideBackoff.map(
        (r) => r.error,
      ),
    ).toEqual(['CAP no-retry-after', 'mine']);
  });
});

describe('stalls', () => {
  const running = (pending: FleetEntry['pending'], status = 'running', steps: Step[] = []): FleetEntry => ({
    report: execution('r', { status, closedAt: undefined, steps }),
    pending,
  });

  it('a running attempt stalls exactly at stallAfterMs, named with its activity type when a step has it', () => {
    const pending = [{ activityId: '7', attempt: 3, lastStartedTime: T(0) }];
    const steps = [step({ activityId: '7', activityType: 'llm' })];
    expect(fleetOf([running(pending, 'running', steps)], T0 + 299_999).stalled).toEqual([]);
    expect(fleetOf([running(pending, 'running', steps)], T0 + 300_000).stalled).toEqual([
      {
        workflowId: 'r',
        runId: 'run-r',
        workflowType: 'agent',
        activityId: '7',
        activityType: 'llm',
        attempt: 3,
        lastProgressAt: T(0),
        sinceMs: 300_000,
      },
    ]);
    expect(fleetOf([running(pending)], T0 + 300_000).stalled[0]).not.toHaveProperty('activityType');
  });

  it('only running executions, started attempts, and attempts with a known start can stall', () => {
    const old = { activityId: '1', attempt: 1, lastStartedTime: T(0) };
    expect(fleetOf([running([old], 'completed')], T0 + 1e9).stalled).toEqual([]);
    expect(fleetOf([running([{ ...old, state: 'scheduled' }])], T0 + 1e9).stalled).toEqual([]);
    expect(fleetOf([running([{ ...old, state: 'started' }])], T0 + 1e9).stalled).toHaveLength(1);
    expect(fleetOf([running([{ activityId: '1', attempt: 1 }])], T0 + 1e9).stalled).toEqual([]);
  });

  it('longest stall first; a custom stallAfterMs is used and echoed', () => {
    const fleet = analyzeFleet(
      [
        running([{ activityId: 'a', attempt: 1, lastStartedTime: T(50) }]),
        running([{ activityId: 'b', attempt: 1, lastStartedTime: T(0) }]),
      ],
      { query: 'q', nowMs: Date.parse(T(60)), stallAfterMs: 10_000 },
    );
    expect(fleet.stalled.map((s) => [s.activityId, s.sinceMs])).toEqual([
      ['b', 60_000],
      ['a', 10_000],
    ]);
    expect(fleet.stallAfterMs).toBe(10_000);
  });
});

describe('costs and the report', () => {
  it('exactly costFactor x the median is not an outlier; a custom factor is used and echoed; a zero median lists none', () => {
    const entries = (usds: number[], type = 'agent') =>
      usds.map((usd, i) => ({ report: execution(`${type}${i}`, { workflowType: type, costUsd: usd }) }));
    expect(fleetOf(entries([1, 1, 3])).costOutliers).toEqual([]);
    const custom = analyzeFleet(entries([1, 1, 2.5]), { query: 'q', nowMs: 0, costFactor: 2 });
    expect(custom.costOutliers).toEqual([
      {
        workflowId: 'agent2',
        runId: 'run-agent2',
        workflowType: 'agent',
        status: 'completed',
        costUsd: 2.5,
        medianUsd: 1,
        ratio: 2.5,
      },
    ]);
    expect(custom.costFactor).toBe(2);
    expect(fleetOf(entries([0, 0, 5])).costOutliers).toEqual([]);
  });

  it('sorts outliers by ratio, highest first, and rounds the ratio to hundredths', () => {
    const entries = [1, 1, 1, 1, 4.123, 9].map((usd, i) => ({
      report: execution(`e${i}`, { costUsd: usd }),
    }));
    expect(fleetOf(entries).costOutliers.map((o) => [o.workflowId, o.ratio])).toEqual([
      ['e5', 9],
      ['e4', 4.12],
    ]);
  });

  it('echoes the query, the time and the defaults, and lists every execution in brief', () => {
    const fleet = fleetOf(
      [
        {
          report: execution('a', { costUsd: 0.5, steps: [step({ verdict: 'ok' }), step({ verdict: 'ok' })] }),
        },
        { report: execution('b', { status: 'failed', compensations: [step({ verdict: 'pending' })] }) },
      ],
      Date.UTC(2026, 5, 1),
    );
    expect(fleet).toMatchObject({
      schemaVersion: 1,
      query: 'q',
      generatedAt: '2026-06-01T00:00:00.000Z',
      executions: 2,
      byStatus: { completed: 1, failed: 1 },
      stallAfterMs: 300_000,
      costFactor: 3,
    });
    expect(fleet.list).toEqual([
      {
        workflowId: 'a',
        runId: 'run-a',
        workflowType: 'agent',
        status: 'completed',
        costUsd: 0.5,
        verdicts: ['ok'],
      },
      { workflowId: 'b', runId: 'run-b', workflowType: 'agent', status: 'failed', verdicts: ['pending'] },
    ]);
    expect(fleet.verdicts).toEqual({ ok: { steps: 2, executions: 1 }, pending: { steps: 1, executions: 1 } });
  });
});
