import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resiliencePlugin } from '../../index';
import { createDevServerEnv, type FakeProvider } from '../../testing';
import { installTravelApi } from '../../examples/travel-api';
import type { TripBookingInput } from '../../examples/workflows/trip-booking';
import { activityCompleted, waitForEvent } from '../helpers/history';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';
import { startWorkerProcess } from '../helpers/worker-process';

const root = join(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults on the real dev server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => ({ env, provider } = await startServers('dev-server')));
  afterAll(() => stopServers({ env, provider }));

  it('SIGKILL of the worker mid side effect: a new worker completes the saga, each effect happens once per key', async () => {
    const prefix = `/${uniqueTaskQueue('kill')}`;
    // The hotel is booked when the request arrives; its answer comes 5 s later: the worker dies in between.
    const ledger = installTravelApi(provider, { createDelayMs: { hotels: 5_000 } }, prefix);
    const taskQueue = uniqueTaskQueue('kill');
    const child = await startWorkerProcess(env.address, taskQueue);
    const input: TripBookingInput = {
      trip: { baseUrl: provider.url(prefix), traveller: 'ada', amountCents: 100 },
      attemptTimeoutMs: 2_000,
    };
    const handle = await env.client.workflow.start('tripBookingWorkflow', {
      taskQueue,
      workflowId: taskQueue,
      args: [input],
    });
    while (provider.calls(`${prefix}/hotels`) === 0) await sleep(20);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    const booking = await worker.runUntil(handle.result());
    expect(booking).toMatchObject({
      flight: { id: 'FL-1' },
      hotel: { id: 'HT-1' },
      car: { id: 'CR-1' },
      charge: { id: 'CH-1' },
    });
    // The hotel was requested twice (before and after the kill) under one key, and booked once.
    const hotelKeys = provider.callsByIdempotencyKey(`${prefix}/hotels`);
    expect([...hotelKeys.values()]).toEqual([2]);
    for (const resource of ['flights', 'hotels', 'cars', 'payments'] as const)
      expect(ledger.createdCount(resource)).toBe(1);
    expect(ledger.undone).toEqual([]);
  });

  it('a restart of the dev server (with a database file) in the middle of a workflow: it completes afterwards', async () => {
    const dbFilename = join(mkdtempSync(join(tmpdir(), 'temporal-db-')), 'temporal.db');
    const options = { server: { dbFilename, log: { format: 'pretty', level: 'error' } } };
    let server = await createDevServerEnv(options);
    const route = `/${uniqueTaskQueue('restart')}`;
    provider.route(`${route}/llm/draft`, { then: { status: 200, body: { text: 'hello' } } });
    provider.route(`${route}/email/send`, {
      respond: (r) => ({ status: 200, body: { id: `msg-${r.callNumber}` } }),
    });
    const taskQueue = uniqueTaskQueue('restart');
    const workflowId = `${taskQueue}-outreach`;
    const prospect = { baseUrl: provider.url(route), email: 'a@example.com', company: 'Acme' };
    try {
      const first = await createExampleWorker(server, taskQueue, { plugins: [resiliencePlugin()] });
      await first.runUntil(async () => {
        const handle = await server.client.workflow.start('prospectOutreachWorkflow', {
          taskQueue,
          workflowId,
          args: [{ prospect, followUpAfter: '3 seconds' }],
        });
        // Stop once the server has recorded the intro as sent, not once the provider saw the call: a shutdown then
        // cancels the attempt still reading its answer (`shutdownGraceTime` defaults to 0), and the new worker
        // rightly sends the intro again (msg-2, msg-3).
        await waitForEvent(handle, 'completed sendEmail', activityCompleted('sendEmail'));
      });
    } finally {
      await server.teardown();
    }
    server = await createDevServerEnv(options);
    try {
      const second = await createExampleWorker(server, taskQueue, { plugins: [resiliencePlugin()] });
      const ids = await second.runUntil(server.client.workflow.getHandle(workflowId).result());
      expect(ids).toEqual(['msg-1', 'msg-2']);
    } finally {
      await server.teardown();
    }
  });

  it('500 concurrent workflows against a failing provider on one worker: no unhandled rejection, a clean exit, a stable heap', async () => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(root, 'test/fixtures/load-run.ts')],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += String(d)));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null); // still running: something kept the event loop alive
      }, 240_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(0);
    const stats = JSON.parse(output.trim().split('\n').at(-1)!) as {
      failed: number;
      calls: number;
      heapMb: number[];
      unhandled: number;
    };
    console.log('load:', stats);
    expect(stats.unhandled).toBe(0);
    expect(stats.failed).toBe(500);
    expect(stats.calls).toBe(1500); // 3 attempts each, no more
    const [, afterFirst, afterSecond] = stats.heapMb;
    expect(afterSecond! - afterFirst!).toBeLessThan(50);
  }, 300_000);
});
