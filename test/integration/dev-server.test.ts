import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { backoffDelayMs, resiliencePlugin, type RetryDecision } from '../../index';
import { createDevServerEnv, FakeProvider } from '../../testing';
import { activityTimeline, historyEvents } from '../helpers/history';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

describe('the toolkit on the real Temporal CLI dev server (real time)', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => {
    env = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
    provider = await FakeProvider.start();
  });
  afterAll(async () => {
    await provider?.close();
    await env?.teardown();
  });

  it("backs off by the workflow's own retry policy, which the dev server sends to the worker", async () => {
    provider.route('/flaky', { script: [{ status: 503 }, { status: 503 }], then: { status: 200 } });
    const decisions: RetryDecision[] = [];
    const taskQueue = uniqueTaskQueue('dev-server');
    const worker = await createExampleWorker(env, taskQueue, {
      plugins: [resiliencePlugin({ onClassified: (d) => decisions.push(d) })],
    });
    const workflowId = `${taskQueue}-wf`;
    const events = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('callProviderWorkflow', {
        taskQueue,
        workflowId,
        args: [{ url: provider.url('/flaky'), policy: 'httpApi', initialIntervalSeconds: 0.4 }],
      });
      await handle.result();
      return historyEvents(handle);
    });
    const policy = { initialIntervalMs: 400, backoffCoefficient: 2, maximumIntervalMs: 60_000 };
    const predicted = [1, 2].map((attempt) =>
      backoffDelayMs({ workflowId, activityId: '1', attempt }, policy),
    );
    expect(decisions.map((d) => d.delayMs)).toEqual(predicted);
    const timeline = activityTimeline(events);
    expect(timeline.attempt).toBe(3);
    expect(timeline.startedMs - timeline.scheduledMs).toBeGreaterThanOrEqual(predicted[0]! + predicted[1]!);
    // On a real server the decision's nextNotBefore is in the server's clock: the next attempt never starts before it.
    expect(timeline.startedMs).toBeGreaterThanOrEqual(Date.parse(decisions[1]!.nextNotBefore!));
    expect(timeline.startedMs - Date.parse(decisions[1]!.nextNotBefore!)).toBeLessThan(1000);
  });
});
