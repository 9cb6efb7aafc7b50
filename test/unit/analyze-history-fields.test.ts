import { describe, expect, it } from 'vitest';
import { analyze, at, record } from '../helpers/built-history';

// What `inspect` reports when part of the story is missing: a step without the toolkit's records (only the final
// attempt's events are in the history), a pending activity known only from `describe()`, an execution where some
// steps ran under the toolkit and some did not. (analyze-history-verdicts.test.ts covers the verdicts.)

describe('a step without attempt records', () => {
  it('times only the final attempt: the history holds no times for the earlier ones, and none are invented', () => {
    const [step] = analyze(
      [{ id: '1', scheduledMs: 0, startedMs: 4000, attempt: 3, close: { as: 'Completed', ms: 4010 } }],
      { closedMs: 5000 },
    ).steps;
    expect(step!.attempts).toEqual([
      { attempt: 1, outcome: 'failed', source: 'history' },
      { attempt: 2, outcome: 'failed', source: 'history' },
      { attempt: 3, startedAt: at(4000), finishedAt: at(4010), outcome: 'completed', source: 'history' },
    ]);
  });

  it('a failed one reports its final attempt failed, with its times', () => {
    const [step] = analyze(
      [{ id: '1', scheduledMs: 0, startedMs: 3000, attempt: 2, close: { as: 'Failed', ms: 3100 } }],
      { closedMs: 4000 },
    ).steps;
    expect(step!.attempts).toEqual([
      { attempt: 1, outcome: 'failed', source: 'history' },
      { attempt: 2, startedAt: at(3000), finishedAt: at(3100), outcome: 'failed', source: 'history' },
    ]);
  });

  it('a running one has a start and no end', () => {
    const [step] = analyze([{ id: '1', scheduledMs: 0, startedMs: 2000, attempt: 2 }]).steps;
    expect(step!.attempts).toEqual([
      { attempt: 1, outcome: 'failed', source: 'history' },
      { attempt: 2, startedAt: at(2000), outcome: 'running', source: 'history' },
    ]);
  });

  it('a step never started has no attempts', () => {
    const [step] = analyze([{ id: '1', scheduledMs: 0 }]).steps;
    expect(step!.attempts).toEqual([]);
  });
});

describe('pending activities from describe()', () => {
  it('each step takes the pending entry of its own activity id, wherever it is in the list', () => {
    const report = analyze(
      [
        { id: 'a', scheduledMs: 0 },
        { id: 'b', type: 'other', scheduledMs: 10 },
      ],
      {
        pending: [
          { activityId: 'b', attempt: 5, lastFailureType: 'RateLimited', nextAttemptScheduleTime: at(9000) },
          { activityId: 'a', attempt: 2 },
        ],
      },
    );
    const [a, b] = report.steps;
    expect(a).toMatchObject({ activityId: 'a', explanation: 'attempt 2 pending' });
    expect(a!.nextAttemptAt).toBeUndefined();
    expect(a!.attempts).toHaveLength(2);
    expect(b).toMatchObject({
      activityId: 'b',
      explanation: 'attempt 5 pending after RateLimited',
      nextAttemptAt: at(9000),
    });
    expect(b!.attempts).toHaveLength(5);
  });

  it('a step with no pending entry is only scheduled', () => {
    const [step] = analyze([{ id: 'a', scheduledMs: 0 }], {
      pending: [{ activityId: 'z', attempt: 3 }],
    }).steps;
    expect(step).toMatchObject({ verdict: 'pending', explanation: 'scheduled, not yet closed' });
    expect(step!.attempts).toEqual([]);
  });
});

describe('the toolkit flag', () => {
  const withRecords = {
    id: '1',
    scheduledMs: 0,
    startedMs: 5,
    attempt: 1,
    close: { as: 'Completed' as const, ms: 9, records: [record(1, 5, 9, 'completed')] },
  };
  const without = {
    id: '2',
    type: 'plain',
    scheduledMs: 20,
    startedMs: 25,
    attempt: 1,
    close: { as: 'Completed' as const, ms: 30 },
  };

  it('is set when any step carries attempt records, even if others do not', () => {
    expect(analyze([without, withRecords], { closedMs: 40 }).toolkit).toBe(true);
    expect(analyze([withRecords, without], { closedMs: 40 }).toolkit).toBe(true);
  });

  it('is clear when none does', () => {
    expect(analyze([without], { closedMs: 40 }).toolkit).toBe(false);
  });
});
