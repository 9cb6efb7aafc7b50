import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inspectWorkflow } from '../../cli/inspect';
import { resiliencePlugin, type ResilienceOptions, type RetryDecision } from '../../index';
import { REFERENCE_MODEL } from '../../examples/activities/llm';
import type { FakeProvider, ScriptedResponse } from '../../testing';
import * as activities from '../../examples/activities';
import type {
  FallbackCallInput,
  FallbackCallResult,
  FallbackChatInput,
} from '../fixtures/fallback-workflows';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';

// Circuits and quota holds keep real time, so these run on the dev server.
describe('fallback routing (withFallback) on the real dev server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;
  const workflowsPath = join(__dirname, '../fixtures/fallback-workflows.ts');

  beforeAll(async () => ({ env, provider } = await startServers('dev-server')));
  afterAll(() => stopServers({ env, provider }));

  async function worker(name: string, decisions: RetryDecision[], prices?: ResilienceOptions['prices']) {
    const taskQueue = uniqueTaskQueue(name);
    const plugin = resiliencePlugin({
      tools: {
        // The primary's circuit opens after one failure and stays open for the whole test.
        'llm:primary': { circuit: { mode: 'consecutive', consecutiveFailures: 1, openMs: 600_000 } },
      },
      onClassified: (decision) => decisions.push(decision),
      ...(prices ? { prices } : {}),
    });
    const w = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath,
      activities,
      plugins: [plugin],
    });
    return { w, taskQueue };
  }

  const run = (taskQueue: string, workflowId: string, input: FallbackCallInput) =>
    env.client.workflow.execute('fallbackCallWorkflow', { taskQueue, workflowId, args: [input] }).then(
      (value) => ({ ok: true as const, value: value as FallbackCallResult }),
      (error: unknown) => ({ ok: false as const, error }),
    );

  it('primary answers a quota 429: the secondary is called once, the workflow completes, inspect shows the reroute', async () => {
    provider.route('/quota/primary', {
      then: {
        status: 429,
        body: { error: { code: 'insufficient_quota', message: 'You exceeded your current quota' } },
      },
    });
    provider.route('/quota/secondary', { then: { status: 200, body: { ok: true } } });
    const decisions: RetryDecision[] = [];
    const { w, taskQueue } = await worker('fallback-quota', decisions);
    const workflowId = `${taskQueue}-quota`;
    const input: FallbackCallInput = {
      routes: [
        { name: 'primary', url: provider.url('/quota/primary') },
        { name: 'secondary', url: provider.url('/quota/secondary') },
      ],
    };
    const outcome = await w.runUntil(run(taskQueue, workflowId, input));

    expect(outcome.ok).toBe(true);
    const result = outcome.ok ? outcome.value : undefined;
    expect(result).toMatchObject({
      route: 'secondary',
      status: 200,
      reroutes: ['primary->secondary:QuotaExhausted'],
    });
    expect(provider.calls('/quota/primary')).toBe(1);
    expect(provider.calls('/quota/secondary')).toBe(1);
    // Each route's attempts ran under its own tool key and carry the route's name.
    expect(result!.attempts.map((a) => [a.route, a.toolKey, a.outcome, a.failureType])).toEqual([
      ['primary', 'llm:primary', 'failed', 'QuotaExhausted'],
      ['secondary', 'llm:secondary', 'completed', undefined],
    ]);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      route: 'primary',
      kind: 'stop',
      nonRetryable: true,
      toolKey: 'llm:primary',
    });

    const report = await inspectWorkflow({ workflowId, client: env.client });
    expect(report.steps.map((s) => [s.route?.name, s.verdict])).toEqual([
      ['primary', 'rerouted'],
      ['secondary', 'ok'],
    ]);
  });

  it("primary's circuit already open: zero calls to the primary, the secondary answers", async () => {
    provider.route('/open/primary', { then: { status: 503 } });
    provider.route('/open/secondary', { then: { status: 200 } });
    const decisions: RetryDecision[] = [];
    const { w, taskQueue } = await worker('fallback-open', decisions);
    const input = (maximumAttempts: number): FallbackCallInput => ({
      routes: [
        { name: 'primary', url: provider.url('/open/primary') },
        { name: 'secondary', url: provider.url('/open/secondary') },
      ],
      maximumAttempts,
    });
    const [first, second] = await w.runUntil(async () => {
      // One failing call (a 503 is not a reason to move on) opens the primary's circuit in this worker.
      const opened = await run(taskQueue, `${taskQueue}-first`, input(1));
      const callsBefore = provider.calls('/open/primary');
      const rerouted = await run(taskQueue, `${taskQueue}-second`, input(5));
      return [{ opened, callsBefore }, rerouted] as const;
    });
    expect(first.opened.ok).toBe(false);
    expect(first.callsBefore).toBe(1);
    expect(second.ok).toBe(true);
    expect(second.ok && second.value).toMatchObject({
      route: 'secondary',
      reroutes: ['primary->secondary:CircuitOpen'],
    });
    // The second workflow never called the primary: its only attempt there was refused by the open circuit.
    expect(provider.calls('/open/primary')).toBe(1);
    expect(provider.calls('/open/secondary')).toBe(1);
    const refusal = decisions.find((d) => d.failureType === 'CircuitOpen');
    expect(refusal).toMatchObject({ route: 'primary', nonRetryable: true, attempt: 1 });
    const records = second.ok ? second.value.attempts : [];
    expect(records.map((a) => [a.route, a.outcome])).toEqual([
      ['primary', 'refused'],
      ['secondary', 'completed'],
    ]);
    const report = await inspectWorkflow({ workflowId: `${taskQueue}-second`, client: env.client });
    expect(report.steps.map((s) => s.verdict)).toEqual(['rerouted', 'ok']);
  });

  it('a route whose budget share is spent is skipped: the next chat goes to the secondary', async () => {
    // 1,000 + 1,000 tokens at $100/$200 per million: $0.30 per chat; the primary's share is $0.20.
    const answer: ScriptedResponse = {
      status: 200,
      body: { text: 'ok', usage: { input_tokens: 1_000, output_tokens: 1_000 } },
    };
    provider.route('/share/primary/v1/chat', { then: answer });
    provider.route('/share/secondary/v1/chat', { then: answer });
    const { w, taskQueue } = await worker('fallback-share', [], {
      [REFERENCE_MODEL]: { inputPerMillion: 100, outputPerMillion: 200 },
    });
    const input: FallbackChatInput = {
      routes: [
        { name: 'primary', baseUrl: provider.url('/share/primary'), budgetUsd: 0.2 },
        { name: 'secondary', baseUrl: provider.url('/share/secondary') },
      ],
      chats: 3,
    };
    const result = await w.runUntil(
      env.client.workflow.execute('fallbackChatWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-share`,
        args: [input],
      }),
    );
    expect(result).toEqual({
      served: ['primary', 'secondary', 'secondary'],
      reroutes: ['primary->secondary:RouteBudgetShareSpent', 'primary->secondary:RouteBudgetShareSpent'],
    });
    expect(provider.calls('/share/primary/v1/chat')).toBe(1);
    expect(provider.calls('/share/secondary/v1/chat')).toBe(2);
  });
});
