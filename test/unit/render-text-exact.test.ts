import { describe, expect, it } from 'vitest';
import { renderText, type InspectReport } from '../../src';

// The terminal rendering of `inspect` with costs: the execution's total on its second line and each step's cost on
// its line, in dollars and cents, which is what an operator checks first when a run burned money.

const report: InspectReport = {
  schemaVersion: 1,
  workflowId: 'wf',
  runId: 'run',
  workflowType: 'agent',
  status: 'completed',
  startedAt: '2026-01-01T00:00:00.000Z',
  closedAt: '2026-01-01T00:00:10.000Z',
  toolkit: true,
  costUsd: 1.234,
  steps: [
    {
      step: 'ask',
      activityType: 'llm',
      activityId: '5',
      scheduledAt: '2026-01-01T00:00:00.000Z',
      outcome: 'completed',
      verdict: 'ok',
      explanation: 'completed on attempt 1',
      costUsd: 0.5,
      attempts: [{ attempt: 1, outcome: 'completed', source: 'toolkit', costUsd: 0.5 }],
    },
  ],
  compensations: [],
};

describe('renderText with costs', () => {
  it('prints the execution and step costs', () => {
    expect(renderText(report).split('\n')).toEqual([
      'agent wf (run run): completed',
      '  started 2026-01-01T00:00:00.000Z, closed 2026-01-01T00:00:10.000Z; cost $1.23',
      '',
      'Steps',
      '  ask (llm, activity 5): completed, 1 attempt(s), $0.50 -> ok',
      '    completed on attempt 1',
      '    #1 completed | $0.50',
      '',
    ]);
  });
});
