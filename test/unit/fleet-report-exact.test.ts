// Pins fleet-report (`inspect --query`) details a user reads across many executions: which earlier dispatch a retry
// loop is compared with (the latest of the same activity type), the exact edge of a recorded backoff window, the
// activity type named for a stalled activity, the cost median, and that an execution without a cost lists none.
import { describe, expect, it } from 'vitest';
import type { InspectReport } from '../../src';
import { execution, failedStep, fleetOf, T, T0 } from '../helpers/inspect-reports';

type Step = InspectReport['steps'][number];
type Attempt = Step['attempts'][number];

const step = failedStep;
const ms = (n: number) => new Date(T0 + n).toISOString();

describe('retry loops across steps', () => {
  it('compares a step with the latest earlier step of its type, not the first', () => {
    const steps = [
      step({ activityId: 'a', scheduledAt: ms(0), closedAt: ms(1000), failureType: 'X' }),
      step({ activityId: 'b', scheduledAt: ms(1001), closedAt: ms(1005), failureType: 'Y' }),
      step({ activityId: 'c', scheduledAt: ms(1010), closedAt: ms(1020), failureType: 'X' }),
    ];
    expect(fleetOf([{ report: execution('e', { steps }) }]).sameErrorInsideBackoff).toEqual([]);
  });

  it('skips steps of another activity type in between', () => {
    const steps = [
      step({ activityId: 'a', scheduledAt: ms(0), closedAt: ms(1000), failureType: 'X' }),
      step({
        activityId: 'o',
        activityType: 'other',
        scheduledAt: ms(1001),
        closedAt: ms(1005),
        failureType: 'X',
      }),
      step({ activityId: 'c', scheduledAt: ms(1010), closedAt: ms(1020), failureType: 'X' }),
    ];
    expect(fleetOf([{ report: execution('e', { steps }) }]).sameErrorInsideBackoff).toEqual([
      {
        workflowId: 'e',
        runId: 'run-e',
        workflowType: 'agent',
        step: 'search#1',
        activityType: 'search',
        error: 'X',
        first: 'activity a',
        second: 'activity c',
        gapMs: 10,
      },
    ]);
  });
});

describe('the edge of a recorded backoff window', () => {
  const attempts = (nextStartMs: number): Attempt[] => [
    {
      attempt: 1,
      startedAt: ms(0),
      finishedAt: ms(100),
      outcome: 'failed',
      failureType: 'TransientFailure',
      nextNotBefore: ms(1100),
      source: 'toolkit',
    },
    {
      attempt: 2,
      startedAt: ms(nextStartMs),
      outcome: 'failed',
      failureType: 'TransientFailure',
      source: 'toolkit',
    },
  ];

  it('a retry exactly the clock allowance (20 ms) before next_not_before is not inside; 1 ms earlier is', () => {
    const at = fleetOf([{ report: execution('e', { steps: [step({ attempts: attempts(1080) })] }) }]);
    expect(at.sameErrorInsideBackoff).toEqual([]);
    const before = fleetOf([{ report: execution('e', { steps: [step({ attempts: attempts(1079) })] }) }]);
    expect(before.sameErrorInsideBackoff).toHaveLength(1);
    expect(before.sameErrorInsideBackoff[0]).toMatchObject({ gapMs: 979, windowMs: 1000 });
  });
});

describe('stalled activities', () => {
  it('name the activity type of the stalled activity, not of the first step', () => {
    const report = execution('s', {
      status: 'running',
      steps: [
        step({ activityId: 'a', activityType: 'first' }),
        step({ activityId: 'b', activityType: 'second', outcome: 'pending' }),
      ],
    });
    const fleet = fleetOf(
      [{ report, pending: [{ activityId: 'b', attempt: 1, state: 'started', lastStartedTime: T(0) }] }],
      T0 + 600_000,
    );
    expect(fleet.stalled).toHaveLength(1);
    expect(fleet.stalled[0]).toMatchObject({ activityId: 'b', activityType: 'second' });
  });
});

describe('costs', () => {
  it('the median is of the sorted costs', () => {
    for (const order of [
      [3, 1, 2],
      [1, 3, 2],
      [2, 3, 1],
      [10, 1, 2, 3],
    ]) {
      const fleet = fleetOf(order.map((c, i) => ({ report: execution(`e${i}`, { costUsd: c }) })));
      const sorted = [...order].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      const expected = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
      expect(fleet.costMedians).toEqual({ agent: { executions: order.length, medianUsd: expected } });
    }
  });

  it('an execution without a cost lists none', () => {
    const fleet = fleetOf([{ report: execution('e') }, { report: execution('f', { costUsd: 0.5 }) }]);
    expect('costUsd' in fleet.list[0]!).toBe(false);
    expect(fleet.list[1]!.costUsd).toBe(0.5);
  });
});
