import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv, FakeProvider } from '../../testing';
import { activityStartedAttempts, historyEvents, serverDurationMs } from '../helpers/history';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

describe('an activity that fails twice with 503 and then succeeds, on the real time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    provider = await FakeProvider.start();
  });

  afterAll(async () => {
    await provider?.close();
    await env?.teardown();
  });

  it('completes on the third attempt, with the retry backoff skipped', async () => {
    provider.route('/flaky', {
      script: [{ status: 503 }, { status: 503 }],
      then: { status: 200, body: { done: true } },
    });
    const taskQueue = uniqueTaskQueue('first-retry');
    const worker = await createExampleWorker(env, taskQueue);

    const { result, events } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('callProviderWorkflow', {
        taskQueue,
        workflowId: 'first-retry-503',
        // 30 s then 60 s of backoff: 90 s of server time that time skipping must not make us wait for.
        args: [{ url: provider.url('/flaky'), policy: 'temporal-default', initialIntervalSeconds: 30 }],
      });
      return { result: await handle.result(), events: await historyEvents(handle) };
    });

    expect(result).toEqual({ status: 200, body: JSON.stringify({ done: true }) });
    expect(provider.calls('/flaky')).toBe(3);
    expect(provider.requests('/flaky').map((r) => r.status)).toEqual([503, 503, 200]);
    // History keeps only the final attempt's started event: it must say attempt 3.
    expect(activityStartedAttempts(events)).toEqual([3]);
    const serverMs = serverDurationMs(events);
    // 90 s of backoff on the server's clock; that the test finishes within vitest's 60 s test timeout shows the time
    // was skipped, not waited for.
    expect(serverMs).toBeGreaterThanOrEqual(90_000);
  });
});
