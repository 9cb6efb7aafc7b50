import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { backoffDelayMs, resiliencePlugin, type ResilienceOptions, type RetryDecision } from '../../index';
import { retryDecisionOf } from '../../client';
import { withTimeSkipping, type FakeProvider } from '../../testing';
import type { CallProviderInput } from '../../examples/workflows';
import { activityFailure, activityTimeline, historyEvents } from '../helpers/history';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

interface Seen {
  decision: RetryDecision;
}

describe('failure triage on the real time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => ({ env, provider } = await startServers('time-skipping')));
  afterAll(() => stopServers({ env, provider }));

  /** Runs one callProviderWorkflow per input on a fresh worker with the toolkit (or without it). */
  async function run(inputs: CallProviderInput[], withToolkit = true, options: ResilienceOptions = {}) {
    const seen: Seen[] = [];
    const taskQueue = uniqueTaskQueue('triage');
    const plugin = resiliencePlugin({
      ...options,
      onClassified: (decision: RetryDecision) => seen.push({ decision }),
    });
    const worker = await createExampleWorker(env, taskQueue, withToolkit ? { plugins: [plugin] } : {});
    const outcomes = await worker.runUntil(async () => {
      const handles = await Promise.all(
        inputs.map((input, i) =>
          env.client.workflow.start('callProviderWorkflow', {
            taskQueue,
            workflowId: `${taskQueue}-wf-${i}`,
            args: [input],
          }),
        ),
      );
      const results = await withTimeSkipping(env, (client) =>
        Promise.all(
          handles.map((handle) =>
            client.result(handle.workflowId).then(
              (value) => ({ ok: true as const, value: value as { status: number } }),
              (error: unknown) => ({ ok: false as const, error }),
            ),
          ),
        ),
      );
      return Promise.all(
        handles.map(async (handle, i) => ({
          result: results[i]!,
          events: await historyEvents(handle),
          workflowId: handle.workflowId,
        })),
      );
    });
    return { outcomes, seen, plugin };
  }

  function applicationFailureOf(error: unknown): ApplicationFailure {
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activity = (error as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    const app = (activity as ActivityFailure).cause;
    expect(app).toBeInstanceOf(ApplicationFailure);
    return app as ApplicationFailure;
  }

  it('STOP: a 429 with Retry-After 10800 fails after exactly 1 attempt with QuotaExhausted', async () => {
    provider.route('/stop', { then: { status: 429, headers: { 'retry-after': '10800' } } });
    const { outcomes } = await run([{ url: provider.url('/stop'), policy: 'llm' }]);
    const { result, events } = outcomes[0]!;
    expect(result.ok).toBe(false);
    const failure = applicationFailureOf(!result.ok && result.error);
    expect(failure.type).toBe('QuotaExhausted');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[0]).toMatchObject({
      kind: 'stop',
      reason: 'retry-after-long',
      retryAfterMs: 10_800_000,
      attempt: 1,
    });
    expect(retryDecisionOf(!result.ok && result.error)).toMatchObject({
      kind: 'stop',
      failureType: 'QuotaExhausted',
    });
    expect(activityTimeline(events).attempt).toBe(1);
    expect(provider.calls('/stop')).toBe(1);
  });

  it('WAIT: a 429 with Retry-After 5 retries no earlier than 5 s later, with BENIGN category, and succeeds', async () => {
    provider.route('/wait', {
      script: [{ status: 429, headers: { 'retry-after': '5' } }],
      then: { status: 200 },
    });
    // The server-side path: with local re-sends off, the WAIT goes back to the server with the provider's delay.
    // (With them on, the default, the same attempt waits in the worker and calls again: see containment.test.ts.)
    const { outcomes, seen } = await run([{ url: provider.url('/wait'), policy: 'httpApi' }], true, {
      defaultToolLimits: { localResends: 0 },
    });
    const { result, events } = outcomes[0]!;
    expect(result).toMatchObject({ ok: true, value: { status: 200 } });
    const timeline = activityTimeline(events);
    expect(timeline.attempt).toBe(2);
    expect(seen).toHaveLength(1);
    const decision = seen[0]!.decision;
    expect(decision).toMatchObject({
      kind: 'wait',
      failureType: 'RateLimitWait',
      benign: true,
      retryAfterMs: 5000,
    });
    expect(decision.delayMs).toBeGreaterThanOrEqual(5000);
    expect(decision.delayMs).toBeLessThanOrEqual(5500);
    // On the server's clock the second attempt started no earlier than the first attempt + the provider's 5 s, and
    // not before nextNotBefore. (Lower bounds only: how much later it started depends on the machine, not the toolkit.)
    expect(timeline.startedMs - timeline.scheduledMs).toBeGreaterThanOrEqual(5000);
    expect(timeline.startedMs).toBeGreaterThanOrEqual(Date.parse(decision.nextNotBefore!));
    expect(provider.calls('/wait')).toBe(2);
  });

  it('RETRY: 503 twice backs off with growing delays and the predicted jitter, then succeeds', async () => {
    provider.route('/retry', { script: [{ status: 503 }, { status: 503 }], then: { status: 200 } });
    const { outcomes, seen } = await run([{ url: provider.url('/retry'), policy: 'httpApi' }]);
    const { result, events, workflowId } = outcomes[0]!;
    expect(result.ok).toBe(true);
    expect(seen.map((s) => s.decision.attempt)).toEqual([1, 2]);
    // The httpApi preset's backoff (1 s, x2, max 1 min), which is also the interceptor's default: the time-skipping
    // server does not send the activity's retry policy to the worker.
    const policy = { initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 60_000 };
    const predicted = [1, 2].map((attempt) =>
      backoffDelayMs({ workflowId, activityId: '1', attempt }, policy),
    );
    expect(seen.map((s) => s.decision.delayMs)).toEqual(predicted);
    expect(predicted[1]!).toBeGreaterThan(predicted[0]!);
    expect(
      seen.every((s) => s.decision.failureType === 'TransientFailure' && s.decision.reason === 'http-503'),
    ).toBe(true);
    // On the server's clock, the third attempt started after both chosen delays had passed. (History keeps only the
    // final attempt; the test server stamps a retry's scheduled time at the failure, so the attempts' own estimates of
    // server time cannot be compared with next_not_before here: test/integration/dev-server.test.ts does that.)
    const timeline = activityTimeline(events);
    expect(timeline.attempt).toBe(3);
    expect(provider.calls('/retry')).toBe(3);
    expect(timeline.startedMs - timeline.scheduledMs).toBeGreaterThanOrEqual(predicted[0]! + predicted[1]!);
    expect(timeline.startedMs).toBeGreaterThanOrEqual(Date.parse(seen[1]!.decision.nextNotBefore!));
  });

  it('FAIL: a 422 fails after 1 attempt with PermanentFailure', async () => {
    provider.route('/fail', { then: { status: 422, body: { error: 'amount must be positive' } } });
    const { outcomes } = await run([{ url: provider.url('/fail'), policy: 'httpApi' }]);
    const { result, events } = outcomes[0]!;
    const failure = applicationFailureOf(!result.ok && result.error);
    expect(failure).toMatchObject({ type: 'PermanentFailure', nonRetryable: true });
    expect(failure.message).toContain('PermanentFailure (validation)');
    expect(activityFailure(events)).toMatchObject({ type: 'PermanentFailure', nonRetryable: true });
    expect(activityTimeline(events).attempt).toBe(1);
    expect(provider.calls('/fail')).toBe(1);
  });
});
