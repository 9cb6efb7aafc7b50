import { describe, expect, it } from 'vitest';
import {
  analyzeFleet,
  renderFleetHtml,
  renderFleetText,
  type FleetEntry,
  type InspectReport,
  type Verdict,
} from '../../src';
import { execution, T } from '../helpers/inspect-reports';

const step = (attempts: InspectReport['steps'][number]['attempts'], verdict: Verdict = 'delayed-retry') => ({
  step: 'search#1',
  activityType: 'search',
  activityId: '1',
  scheduledAt: T(0),
  closedAt: T(9),
  outcome: 'completed' as const,
  attempts,
  verdict,
  explanation: '',
});

describe('analyzeFleet', () => {
  it('lists executions above 3x the median of their type (an even count takes the middle two)', () => {
    const entries: FleetEntry[] = [0.1, 0.2, 0.2, 0.3, 0.95, 0.61].map((usd, i) => ({
      report: execution(`a${i}`, { costUsd: usd }),
    }));
    entries.push({ report: execution('other', { workflowType: 'cheap', costUsd: 100 }) });
    const fleet = analyzeFleet(entries, { query: '', nowMs: 0 });
    expect(fleet.costMedians).toEqual({
      agent: { executions: 6, medianUsd: 0.25 },
      cheap: { executions: 1, medianUsd: 100 },
    });
    // 0.95 > 0.75 is listed, 0.61 is not; the lone execution of its type is its own median.
    expect(fleet.costOutliers.map((o) => [o.workflowId, o.ratio])).toEqual([['a4', 3.8]]);
  });

  it('lists the same error met again before next_not_before, not after it', () => {
    const failed = (attempt: number, from: number, to: number, notBefore: number) => ({
      attempt,
      startedAt: T(from),
      finishedAt: T(to),
      outcome: 'failed' as const,
      kind: 'retry',
      reason: 'timeout',
      nextNotBefore: T(notBefore),
      source: 'toolkit' as const,
    });
    const fleet = analyzeFleet(
      [
        { report: execution('early', { steps: [step([failed(1, 0, 1, 5), failed(2, 2, 3, 9)])] }) },
        { report: execution('late', { steps: [step([failed(1, 0, 1, 2), failed(2, 2, 3, 9)])] }) },
        {
          report: execution('other-error', {
            steps: [step([failed(1, 0, 1, 5), { ...failed(2, 2, 3, 9), reason: 'http-500' }])],
          }),
        },
      ],
      { query: 'x', nowMs: 0 },
    );
    expect(fleet.sameErrorInsideBackoff).toEqual([
      {
        workflowId: 'early',
        runId: 'run-early',
        workflowType: 'agent',
        step: 'search#1',
        activityType: 'search',
        error: 'RETRY timeout',
        first: 'attempt 1',
        second: 'attempt 2',
        gapMs: 1000,
        windowMs: 4000,
      },
    ]);
  });

  it('lists running attempts without a heartbeat for the threshold, measured against nowMs', () => {
    const running = (id: string, lastHeartbeatTime?: string): FleetEntry => ({
      report: execution(id, { status: 'running', closedAt: undefined }),
      pending: [
        {
          activityId: '3',
          attempt: 2,
          state: 'started',
          lastStartedTime: T(0),
          ...(lastHeartbeatTime ? { lastHeartbeatTime } : {}),
        },
      ],
    });
    const fleet = analyzeFleet([running('silent'), running('beating', T(250)), running('old-beat', T(10))], {
      query: '',
      nowMs: Date.parse(T(320)),
    });
    expect(fleet.stalled.map((s) => [s.workflowId, s.sinceMs, s.lastProgressAt])).toEqual([
      ['silent', 320_000, T(0)],
      ['old-beat', 310_000, T(10)],
    ]);
    expect(fleet.byStatus).toEqual({ running: 3 });
  });

  it('counts verdicts by steps and by executions, and renders text and HTML', () => {
    const fleet = analyzeFleet(
      [
        { report: execution('a', { steps: [step([], 'ok'), step([], 'ok')] }) },
        { report: execution('b', { steps: [step([], 'ok'), step([], 'immediate-retry')] }) },
      ],
      { query: 'WorkflowType="agent"', nowMs: 0 },
    );
    expect(fleet.verdicts).toEqual({
      ok: { steps: 3, executions: 2 },
      'immediate-retry': { steps: 1, executions: 1 },
    });
    expect(renderFleetText(fleet)).toContain('  ok                           3     2');
    const html = renderFleetHtml(fleet);
    expect(html).toContain('WorkflowType=&quot;agent&quot;');
    expect(html).not.toContain('<script');
  });
});
