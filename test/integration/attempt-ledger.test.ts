import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { Worker } from '@temporalio/worker';
import { resiliencePlugin } from '../../index';
import type { FakeProvider } from '../../testing';
import { ledgerQuery } from '../../workflows';
import * as activities from '../fixtures/ledger-activities';
import type {
  BudgetedCallsInput,
  budgetedCallsWorkflow,
  checkpointWorkflow,
} from '../fixtures/ledger-workflows';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { startWorkerProcess } from '../helpers/worker-process';

const root = join(__dirname, '../..');
const WORKFLOWS_PATH = join(root, 'test/fixtures/ledger-workflows.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Heartbeat details that survive a failed attempt need a server ≥ 1.16: these run on the dev server.
describe('the attempt ledger: heartbeat details, crashes and budgets on the real dev server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => ({ env, provider } = await startServers('dev-server')));
  afterAll(() => stopServers({ env, provider }));

  function worker(taskQueue: string): Promise<Worker> {
    return Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities,
      plugins: [resiliencePlugin()],
    });
  }

  it.each(['toolkit', 'sdk'] as const)(
    "the user's heartbeat details survive every attempt exactly, heartbeated with the %s's function, and the chain travels beside them",
    async (mode) => {
      const taskQueue = uniqueTaskQueue(`checkpoint-${mode}`);
      const w = await worker(taskQueue);
      const { observed, attempts } = await w.runUntil(
        env.client.workflow.execute<typeof checkpointWorkflow>('checkpointWorkflow', {
          taskQueue,
          workflowId: taskQueue,
          args: [mode],
        }),
      );
      // Each attempt reads back exactly what the previous one heartbeated, through either API.
      expect(observed).toEqual([
        { attempt: 2, toolkit: { cursor: 1, seen: [] }, sdk: { cursor: 1, seen: [] } },
        {
          attempt: 3,
          toolkit: { cursor: 2, seen: [observed[0]] },
          sdk: { cursor: 2, seen: [observed[0]] },
        },
      ]);
      expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
        [1, 'failed'],
        [2, 'failed'],
        [3, 'completed'],
      ]);
    },
  );

  it('an activity that never heartbeats reads back undefined, and the chain still travels', async () => {
    const taskQueue = uniqueTaskQueue('checkpoint-none');
    const w = await worker(taskQueue);
    const { observed, attempts } = await w.runUntil(
      env.client.workflow.execute<typeof checkpointWorkflow>('checkpointWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: ['none'],
      }),
    );
    expect(observed).toEqual([
      { attempt: 2, toolkit: undefined, sdk: undefined },
      { attempt: 3, toolkit: undefined, sdk: undefined },
    ]);
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'completed']);
  });

  it('10 parallel activities that each pay $0.10 and fail with 500 under a $0.25 budget spend at most $1.25', async () => {
    const taskQueue = uniqueTaskQueue('parallel-budget');
    const route = `/${taskQueue}/call`;
    provider.route(route, { then: { status: 500, body: { error: 'failed after spending' } } });
    const w = await worker(taskQueue);
    const input: BudgetedCallsInput = { url: provider.url(route), parallel: 10, budgetUsd: 0.25 };
    const { cost, outcomes, attempts } = await w.runUntil(
      env.client.workflow.execute<typeof budgetedCallsWorkflow>('budgetedCallsWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [input],
      }),
    );
    // Every call was paid for before it was made: calls × $0.10 is the true spend.
    const spent = provider.calls(route) * 0.1;
    console.log(`parallel budget: ${provider.calls(route)} paid calls, $${spent.toFixed(2)} (budget $0.25)`);
    expect(spent).toBeLessThanOrEqual(1.25 + 1e-9);
    expect(outcomes).toEqual(Array.from({ length: 10 }, () => 'BudgetExceeded'));
    // The workflow's ledger counts every paid attempt, and only those.
    expect(cost.usd).toBeCloseTo(spent, 6);
    expect(attempts.filter((a) => a.outcome === 'failed')).toHaveLength(provider.calls(route));
  });

  /** Polls `done` every 50 ms. `timeoutMs` only turns a hang into a failure that names what was awaited. */
  async function waitUntil(
    what: string,
    done: () => boolean | Promise<boolean>,
    timeoutMs = 60_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`${what}: not seen after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /**
   * Whether the server holds a heartbeat (the recorded cost) from the running attempt itself. The server keeps the
   * last heartbeat's time across attempts: only one at or after this attempt's start is its own.
   */
  async function runningAttemptHeartbeated(
    handle: WorkflowHandle<typeof budgetedCallsWorkflow>,
  ): Promise<boolean> {
    const pending = (await handle.describe()).raw.pendingActivities?.[0];
    return Boolean(
      pending?.lastHeartbeatTime &&
        pending.lastStartedTime &&
        tsToMs(pending.lastHeartbeatTime) >= tsToMs(pending.lastStartedTime),
    );
  }

  /**
   * Starts a worker process and kills it (SIGKILL) once it has made paid call number `paidCalls`: the provider has
   * the call, and the cost heartbeat of the attempt that made it is on the server (the activity pays, then calls; a
   * loaded machine can put the kill between the two). Counted by calls, not attempt numbers: a task the server hands
   * to a killed worker's last poll is lost, and the attempt after it is the one that pays.
   */
  async function killAfterPaying(
    taskQueue: string,
    handle: WorkflowHandle<typeof budgetedCallsWorkflow>,
    route: string,
    paidCalls: number,
  ): Promise<void> {
    const child = await startWorkerProcess(env.address, taskQueue, 'ledger');
    await waitUntil(`paid call ${paidCalls}`, () => provider.calls(route) >= paidCalls);
    await waitUntil(`the cost heartbeat of the attempt making paid call ${paidCalls}`, () =>
      runningAttemptHeartbeated(handle),
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  it.each([
    { budgetUsd: 0.25, paid: 3, outcomes: ['lost', 'lost', 'failed'] },
    { budgetUsd: 0.15, paid: 2, outcomes: ['lost', 'lost'] },
  ])(
    'kill -9 of the worker twice after paying, budget $budgetUsd: every paid attempt is in the ledger and the budget stops the next',
    async ({ budgetUsd, paid, outcomes }) => {
      const taskQueue = uniqueTaskQueue('kill-ledger');
      const route = `/${taskQueue}/call`;
      // Attempts 1 and 2 hang (their workers are killed); attempt 3 fails with 500.
      provider.route(route, {
        script: [
          { status: 200, hang: true },
          { status: 200, hang: true },
        ],
        then: { status: 500 },
      });
      const input: BudgetedCallsInput = {
        url: provider.url(route),
        parallel: 1,
        budgetUsd,
        // Each killed attempt is lost until this timeout; it must also outlast the wait before the kill on a loaded
        // machine, or the attempt would time out in the live worker and be retried there.
        startToCloseMs: 5_000,
      };
      const handle = await env.client.workflow.start<typeof budgetedCallsWorkflow>('budgetedCallsWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [input],
      });
      await killAfterPaying(taskQueue, handle, route, 1);
      await killAfterPaying(taskQueue, handle, route, 2);
      const w = await worker(taskQueue);
      const { result, ledger } = await w.runUntil(async () => {
        const result = await handle.result();
        return { result, ledger: await handle.query(ledgerQuery) };
      });
      expect(result.outcomes).toEqual(['BudgetExceeded']);
      expect(provider.calls(route)).toBe(paid);
      // Every attempt number is on record, in order. A task the server handed to the killed worker's last poll is
      // lost without a trace: it is on record as `lost`, with no cost (it never reached the activity).
      expect(result.attempts.map((a) => a.attempt)).toEqual(result.attempts.map((_, i) => i + 1));
      const paidRecords = result.attempts.filter((a) => a.cost !== undefined);
      expect(paidRecords.map((a) => [a.outcome, a.cost?.usd])).toEqual(outcomes.map((o) => [o, 0.1]));
      expect(result.attempts.at(-1)?.outcome).toBe('refused');
      expect(
        result.attempts.filter((a) => a.cost === undefined && a.outcome !== 'refused').map((a) => a.outcome),
      ).toEqual(
        result.attempts.filter((a) => a.cost === undefined && a.outcome !== 'refused').map(() => 'lost'),
      );
      expect(result.cost.usd).toBeCloseTo(paid * 0.1, 6);
      expect(ledger.cost.usd).toBeCloseTo(paid * 0.1, 6);
    },
    180_000,
  );
});
