import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { exclusiveScheduleOptions, startExclusive } from '../../client';
import { resiliencePlugin, type RetryDecision } from '../../index';
import { withTimeSkipping, type FakeProvider } from '../../testing';
import type { CallProviderInput } from '../../examples/workflows/call-provider';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

describe('operations on the real time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => ({ env, provider } = await startServers('time-skipping')));
  afterAll(() => stopServers({ env, provider }));

  it('incident 3: run B of the same job is skipped while run A sits in retry backoff; nothing is left open', async () => {
    provider.route('/cron', {
      script: [{ status: 429, headers: { 'retry-after': '30' } }],
      then: { status: 200 },
    });
    const taskQueue = uniqueTaskQueue('cron');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    const input: CallProviderInput = { url: provider.url('/cron'), policy: 'httpApi' };
    const options = { taskQueue, workflowId: `${taskQueue}-nightly-sync`, args: [input] };
    const { a, b } = await worker.runUntil(async () => {
      const a = await startExclusive(env.client, 'callProviderWorkflow', options);
      while (provider.responsesWithStatus(429, '/cron') === 0) await new Promise((r) => setTimeout(r, 10));
      const b = await startExclusive(env.client, 'callProviderWorkflow', options);
      if (a.status !== 'started') throw new Error('run A was not started');
      await withTimeSkipping(env, (client) => client.result(a.handle.workflowId));
      return { a, b };
    });
    expect(a.status).toBe('started');
    expect(b).toEqual({
      status: 'skipped_concurrent_run',
      runningRunId: a.status === 'started' ? a.handle.firstExecutionRunId : 'x',
    });
    expect(provider.calls('/cron')).toBe(2); // A's 429, then A's success; B never called
    expect(provider.inFlight('/cron')).toBe(0);
    expect(provider.openConnections()).toBe(0);
  });

  it('starts the job again once the previous run has closed', async () => {
    provider.route('/cron-again', { then: { status: 200 } });
    const taskQueue = uniqueTaskQueue('cron-again');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    const options = {
      taskQueue,
      workflowId: `${taskQueue}-job`,
      args: [{ url: provider.url('/cron-again') }],
    };
    const statuses = await worker.runUntil(async () => {
      const out: string[] = [];
      for (let i = 0; i < 2; i++) {
        const start = await startExclusive(env.client, 'callProviderWorkflow', options);
        out.push(start.status);
        if (start.status === 'started')
          await withTimeSkipping(env, (client) => client.result(start.handle.workflowId));
      }
      return out;
    });
    expect(statuses).toEqual(['started', 'started']);
    expect(provider.calls('/cron-again')).toBe(2);
  });

  it('sets the schedule overlap policy to skip', () => {
    const options = exclusiveScheduleOptions({
      scheduleId: 'nightly',
      spec: { intervals: [{ every: '1 day' }] },
      action: { type: 'startWorkflow' as const, workflowType: 'callProviderWorkflow', taskQueue: 'q' },
      policies: { catchupWindow: '1 hour' },
    });
    expect(options.policies).toEqual({ catchupWindow: '1 hour', overlap: 'SKIP' });
  });

  it('a provider that accepts the connection and never answers fails the attempt within the response timeout, as RETRY', async () => {
    provider.route('/silent', { script: [{ hang: true }], then: { status: 200 } });
    const decisions: RetryDecision[] = [];
    const taskQueue = uniqueTaskQueue('silent');
    const worker = await createExampleWorker(env, taskQueue, {
      plugins: [resiliencePlugin({ onClassified: (d) => decisions.push(d) })],
    });
    await worker.runUntil(
      env.client.workflow.execute('callProviderWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [
          {
            url: provider.url('/silent'),
            policy: 'httpApi',
            responseTimeoutMs: 300,
          } satisfies CallProviderInput,
        ],
      }),
    );
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      kind: 'retry',
      reason: 'response-timeout',
      sideEffectUnknown: true,
    });
    // Ended by the 300 ms response timeout (the only source of 'response-timeout'), not by the preset's 30 s
    // start-to-close timeout or the hours of incident 3; the retry then succeeded.
    expect(provider.calls('/silent')).toBe(2);
  });
});
