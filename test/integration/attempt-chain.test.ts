import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { type ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { CHAIN_METADATA_KEY, fromChainWire, type ChainWire } from '../../src/attempts/chain-wire';
import { resiliencePlugin, type ResilienceOptions } from '../../index';
import { type FakeProvider } from '../../testing';
import { ledgerQuery } from '../../workflows';
import { REFERENCE_MODEL } from '../../examples/activities';
import type { LlmCallInput, LlmCallResult } from '../../examples/workflows/llm-call';
import { activityTimeline, historyEvents } from '../helpers/history';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

// $0.40 per call: 2,000 input tokens at $100/M plus 1,000 output tokens at $200/M.
const options: ResilienceOptions = {
  prices: { [REFERENCE_MODEL]: { inputPerMillion: 100, outputPerMillion: 200 } },
};
const usage = { input_tokens: 2000, output_tokens: 1000 };

// The attempt chain travels in heartbeat details, which only servers ≥ 1.16 keep when an attempt fails; the
// time-skipping test server does not. So these run on the dev server, in real time with short retry intervals.
describe('the attempt chain, cost and budgets on the real dev server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => ({ env, provider } = await startServers('dev-server')));
  afterAll(() => stopServers({ env, provider }));

  it('hands every attempt and its cost to the workflow, failed attempts included', async () => {
    provider.route('/chain/v1/chat', {
      script: [
        { status: 503, body: { error: 'overloaded', usage } },
        { status: 429, headers: { 'retry-after': '0' } },
      ],
      then: { status: 200, body: { text: 'hello', usage } },
    });
    const taskQueue = uniqueTaskQueue('chain');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin(options)] });
    const input: LlmCallInput = { baseUrl: provider.url('/chain'), prompt: 'hi' };
    const { result, ledger, events } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('llmCallWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [input],
      });
      const result = (await handle.result()) as LlmCallResult;
      return { result, ledger: await handle.query(ledgerQuery), events: await historyEvents(handle) };
    });
    expect(result.text).toBe('hello');
    // The 503 goes back to the server (backoff); the WAIT (Retry-After 0) is re-sent from the worker within attempt 2.
    expect(result.attempts.map((a) => [a.attempt, a.outcome, a.kind, a.reason, a.resentLocally])).toEqual([
      [1, 'failed', 'retry', 'http-503', undefined],
      [2, 'failed', 'wait', 'retry-after', true],
      [2, 'completed', undefined, undefined, undefined],
    ]);
    expect(new Set(result.attempts.map((a) => a.idempotencyKey)).size).toBe(1);
    expect(result.attempts[0]).toMatchObject({ step: 'chat#1', toolKey: 'chat', cost: { usd: 0.4 } });
    expect(result.attempts[0]!.delayMs).toBeGreaterThan(0);
    expect(Date.parse(result.attempts[1]!.startedAt)).toBeGreaterThanOrEqual(
      Date.parse(result.attempts[0]!.nextNotBefore!),
    );
    expect(result.cost).toEqual({ inputTokens: 4000, outputTokens: 2000, usd: 0.8 });
    expect(ledger.cost).toEqual(result.cost);
    // History keeps only the final attempt's started event, yet every attempt's record is in the completed event.
    expect(activityTimeline(events).attempt).toBe(2);
    const completed = events.find((e) => e.activityTaskCompletedEventAttributes);
    const payload = completed!.activityTaskCompletedEventAttributes!.result!.payloads![0]!;
    // The result in history is the activity's own; the chain travels beside it, in the payload's metadata.
    expect(JSON.parse(Buffer.from(payload.data!).toString('utf8'))).toBe('hello');
    const wire = JSON.parse(
      Buffer.from(payload.metadata![CHAIN_METADATA_KEY]!).toString('utf8'),
    ) as ChainWire;
    const beside = fromChainWire(wire, { activityId: '1', activityType: 'chat', step: 'chat#1' }).chain;
    expect(beside.records.map((r) => r.outcome)).toEqual(['failed', 'failed', 'completed']);
    expect(beside.records).toEqual(result.attempts);
  });

  async function runBudget(taskQueue: string, { budgetUsd = 1, restart = false } = {}) {
    const route = `/${taskQueue}/v1/chat`;
    provider.route(route, { then: { status: 503, body: { error: 'failed after spending tokens', usage } } });
    const input: LlmCallInput = {
      baseUrl: provider.url(`/${taskQueue}`),
      prompt: 'hi',
      budgetUsd,
      maximumAttempts: 10,
    };
    const handle = await env.client.workflow.start('llmCallWorkflow', {
      taskQueue,
      workflowId: taskQueue,
      args: [input],
    });
    if (restart) {
      // The first worker makes the first attempt and is stopped once the server has recorded that attempt's failure
      // (and with it the attempt chain and its cost, in the heartbeat details); a fresh worker (fresh memory) takes
      // over. Stopping it as soon as the provider counted the call (as this test once did) races the attempt: a
      // shutdown cancels the activity still reading the 503 (`shutdownGraceTime` defaults to 0), its $0.40 is never
      // recorded, and the budget rightly allows a fourth call. The grace time lets an attempt that has started
      // meanwhile finish and record its cost, as a deployment's graceful restart would.
      const first = await createExampleWorker(env, taskQueue, {
        plugins: [resiliencePlugin(options)],
        maxCachedWorkflows: 0,
        shutdownGraceTime: '1 minute',
      });
      await first.runUntil(async () => {
        for (;;) {
          const { raw } = await handle.describe();
          const pending = raw.pendingActivities?.[0];
          if (pending && (pending.attempt ?? 0) >= 2 && pending.lastFailure) return;
          await new Promise((r) => setTimeout(r, 20));
        }
      });
    }
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin(options)] });
    return worker.runUntil(async () => {
      const error = await handle.result().catch((e: unknown) => e);
      return { error, ledger: await handle.query(ledgerQuery), calls: provider.calls(route) };
    });
  }

  function budgetFailure(error: unknown): ApplicationFailure {
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activity = (error as WorkflowFailedError).cause as ActivityFailure;
    expect(activity.cause).toBeInstanceOf(ApplicationFailure);
    return activity.cause as ApplicationFailure;
  }

  it('stops after the third $0.40 attempt under a $1.00 budget with BudgetExceeded', async () => {
    const { error, ledger, calls } = await runBudget(uniqueTaskQueue('budget'));
    const failure = budgetFailure(error);
    expect(failure.type).toBe('BudgetExceeded');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('spent $1.20 of the $1.00 budget');
    expect(calls).toBe(3);
    expect(ledger.cost.usd).toBeCloseTo(1.2, 6);
  });

  it('stops once the spend equals the budget exactly: two $0.40 attempts under a $0.80 budget', async () => {
    const { error, ledger, calls } = await runBudget(uniqueTaskQueue('budget-exact'), { budgetUsd: 0.8 });
    const failure = budgetFailure(error);
    expect(failure.type).toBe('BudgetExceeded');
    expect(failure.message).toContain('spent $0.80 of the $0.80 budget');
    expect(calls).toBe(2);
    expect(ledger.cost.usd).toBe(0.8);
    expect(ledger.activities[0]!.chain.records.map((r) => r.outcome)).toEqual([
      'failed',
      'failed',
      'refused',
    ]);
  });

  it('stops after the third attempt also when the worker is restarted between attempts', async () => {
    const { error, calls, ledger } = await runBudget(uniqueTaskQueue('budget-restart'), { restart: true });
    expect(budgetFailure(error).type).toBe('BudgetExceeded');
    expect(calls).toBe(3);
    const records = ledger.activities[0]!.chain.records;
    expect(records.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'refused']);
  });
});
