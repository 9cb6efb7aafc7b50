// A workflow's budget across two worker processes: a call paid on one worker counts against the budget on the other
// at once when they share a Redis store (the spend tally comes with it), and does not when each keeps its own.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FakeProvider } from '../../testing';
import {
  secondCallSignal,
  type twoQueueBudgetWorkflow,
  type TwoQueueBudgetInput,
} from '../fixtures/ledger-workflows';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { startWorkerProcess } from '../helpers/worker-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a budget across 2 worker processes', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;
  let redis: RedisServer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ({ env, provider } = await startServers('dev-server'));
    redis = await startRedisServer();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(children.map(stopChild));
    await redis?.stop();
    await stopServers({ env, provider });
  });

  async function startWorker(
    taskQueue: string,
    redisUrl?: string,
    keyPrefix?: string,
  ): Promise<ChildProcess> {
    const child = await startWorkerProcess(
      env.address,
      taskQueue,
      'ledger',
      redisUrl ? { REDIS_URL: redisUrl, KEY_PREFIX: keyPrefix ?? 'ledger:' } : {},
    );
    children.push(child);
    return child;
  }

  function stopChild(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => (clearTimeout(timer), resolve()));
      child.kill('SIGTERM');
    });
  }

  it.each([
    { store: 'redisStore (shared)', shared: true, calls: 1, outcomes: ['ok', 'BudgetExceeded'] },
    { store: 'in-memory (per worker)', shared: false, calls: 2, outcomes: ['ok', 'ok'] },
  ])(
    'a call paid 10 cents running on worker A, budget 5 cents: the next call on worker B, $store → $calls provider calls',
    async ({ shared, calls, outcomes }) => {
      const taskQueue = uniqueTaskQueue(shared ? 'fleet-budget' : 'fleet-budget-local');
      const queues = [`${taskQueue}-a`, `${taskQueue}-b`] as const;
      const route = `/${taskQueue}/call`;
      // The first call is answered only after the second has been decided: the workflow has heard of no spend yet.
      provider.route(route, { then: { status: 200, body: { ok: true }, delayMs: 3_000 } });
      const workers = await Promise.all(
        queues.map((q) => startWorker(q, shared ? redis.url : undefined, `${taskQueue}:`)),
      );
      try {
        const input: TwoQueueBudgetInput = { url: provider.url(route), budgetUsd: 0.05, queues };
        const handle = await env.client.workflow.start<typeof twoQueueBudgetWorkflow>(
          'twoQueueBudgetWorkflow',
          { taskQueue: queues[0], workflowId: taskQueue, args: [input] },
        );
        // paidCall records its cost before it calls: once the provider sees the call, the $0.10 is in the tally.
        while (provider.calls(route) < 1) await sleep(20);
        await handle.signal(secondCallSignal);
        expect(await handle.result()).toEqual(outcomes);
        expect(provider.calls(route)).toBe(calls);
      } finally {
        await Promise.all(workers.map(stopChild));
      }
    },
    90_000,
  );
});
