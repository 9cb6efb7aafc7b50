import { describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { createResilienceInterceptors, HttpError } from '../../index';

describe('attempt records in the activity logger', () => {
  it('writes attempt.started, attempt.failed and retry.scheduled with the run id, as structured fields', async () => {
    const entries: LogEntry[] = [];
    const logger = new DefaultLogger('DEBUG', (entry) => entries.push(entry));
    const { activity } = createResilienceInterceptors();
    const env = new MockActivityEnvironment(
      {
        attempt: 2,
        activityId: 'a-1',
        activityType: 'chat',
        workflowType: 'agentWorkflow',
        workflowExecution: { workflowId: 'wf-logs', runId: 'run-logs' },
        currentAttemptScheduledTimestampMs: Date.UTC(2026, 0, 1),
      },
      { interceptors: activity, logger },
    );
    await env
      .run(async () => {
        throw new HttpError(503);
      })
      .catch(() => undefined);
    const records = entries.filter((e) => typeof e.meta?.event === 'string');
    expect(records.map((e) => [e.level, e.message])).toEqual([
      ['DEBUG', 'attempt.started'],
      ['INFO', 'attempt.failed'],
      ['INFO', 'retry.scheduled'],
    ]);
    const scheduled = records[2]!.meta!;
    expect(scheduled).toMatchObject({
      workflowId: 'wf-logs',
      workflowRunId: 'run-logs',
      activityId: 'a-1',
      attempt: 2,
      toolKey: 'chat',
      kind: 'retry',
      reason: 'http-503',
      outcome: 'failed',
    });
    expect(scheduled.delayMs).toBeGreaterThan(0);
    expect(typeof scheduled.next_not_before).toBe('string');
    expect(typeof scheduled.startedAt).toBe('string');
    expect(typeof scheduled.finishedAt).toBe('string');
  });
});
