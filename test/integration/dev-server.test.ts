import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { backoffDelayMs, resiliencePlugin, type RetryDecision } from '../../index';
import { type FakeProvider } from '../../testing';
import { activityTimeline, historyEvents } from '../helpers/history';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

describe('the toolkit on the real Temporal CLI dev server (real time)', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => ({ env, provider } = await startServers('dev-server')));
  afterAll(() => stopServers({ env, provider }));

  it('a slow stream that keeps moving completes; a stalled one fails by the heartbeat timeout', async () => {
    const chunks = Array.from({ length: 10 }, (_, i) => ({ data: `${i}`, delayMs: 300 }));
    provider.route('/slow-stream', { then: { chunks } });
    provider.route('/stalled-stream', {
      then: { chunks: [{ data: 'start' }, { data: 'never', hang: true }] },
    });
    const taskQueue = uniqueTaskQueue('streams');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    const run = (route: string) =>
      env.client.workflow.execute('streamWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}${route}`,
        args: [provider.url(route), 2_000],
      });
    const { slow, stalled } = await worker.runUntil(async () => {
      const slow = await run('/slow-stream'); // 3 s of body, longer than the 2 s heartbeat timeout
      const stalled = await run('/stalled-stream').catch((e: unknown) => e);
      return { slow, stalled };
    });
    expect(slow).toBe('0123456789');
    expect(stalled).toBeInstanceOf(WorkflowFailedError);
    const cause = (stalled as WorkflowFailedError).cause?.cause;
    // Either the server's heartbeat timeout or the worker's matching body timeout ends it, both at 2 s; never the
    // llm preset's 2-minute start-to-close timeout (which is what ending it "late" would mean).
    if (cause instanceof TimeoutFailure) {
      expect(cause.timeoutType).toBe(TimeoutType.HEARTBEAT);
    } else {
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).message).toContain('body-timeout');
    }
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
    // On a real server the decision's nextNotBefore is in the server's clock: the next attempt never starts before it,
    // and the second failure came after the first decision's nextNotBefore.
    expect(timeline.startedMs).toBeGreaterThanOrEqual(Date.parse(decisions[1]!.nextNotBefore!));
    expect(Date.parse(decisions[1]!.nextNotBefore!) - predicted[1]!).toBeGreaterThanOrEqual(
      Date.parse(decisions[0]!.nextNotBefore!),
    );
    expect(provider.calls('/flaky')).toBe(3);
  });
});
