import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { deriveIdempotencyKey, IDEMPOTENCY_KEY_LENGTH, resiliencePlugin } from '../../index';
import { withTimeSkipping, type FakeProvider } from '../../testing';
import { installTravelApi } from '../../examples/travel-api';
import type { TripBookingInput } from '../../examples/workflows/trip-booking';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker, EXAMPLE_WORKFLOWS_PATH } from '../helpers/worker';
import { bundleWorkflowCode, DefaultLogger, type BundlerPlugin } from '@temporalio/worker';

describe('idempotency keys on the real time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => ({ env, provider } = await startServers('time-skipping')));
  afterAll(() => stopServers({ env, provider }));

  it('sends the same key on all 3 attempts of one step, derived from namespace, workflow id and step', async () => {
    provider.route('/same-key', { script: [{ status: 503 }, { status: 503 }], then: { status: 200 } });
    const taskQueue = uniqueTaskQueue('keys');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    await worker.runUntil(
      env.client.workflow.execute('callProviderWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [{ url: provider.url('/same-key'), policy: 'httpApi' }],
      }),
    );
    const keys = provider.requests('/same-key').map((r) => r.idempotencyKey);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toHaveLength(IDEMPOTENCY_KEY_LENGTH);
    expect(keys[0]).toBe(
      deriveIdempotencyKey({ namespace: 'default', workflowId: taskQueue, stepName: 'callProvider#1' }),
    );
  });

  it('gives two steps calling the same activity type different keys', async () => {
    provider.route('/outreach/llm/draft', {
      respond: (r) => ({ status: 200, body: { text: `draft ${r.callNumber}` } }),
    });
    provider.route('/outreach/email/send', {
      respond: (r) => ({ status: 200, body: { id: `msg-${r.callNumber}` } }),
    });
    const taskQueue = uniqueTaskQueue('outreach');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    const ids = await worker.runUntil(
      env.client.workflow.execute('prospectOutreachWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [
          { prospect: { baseUrl: provider.url('/outreach'), email: 'ceo@example.com', company: 'Acme' } },
        ],
      }),
    );
    expect(ids).toEqual(['msg-1', 'msg-2']);
    const key = (stepName: string) =>
      deriveIdempotencyKey({ namespace: 'default', workflowId: taskQueue, stepName });
    expect(provider.requests('/outreach/email/send').map((r) => r.idempotencyKey)).toEqual([
      key('send-intro'),
      key('send-follow-up'),
    ]);
    expect(provider.requests('/outreach/llm/draft').map((r) => r.idempotencyKey)).toEqual([
      key('draftMessage#1'),
      key('draftMessage#2'),
    ]);
  });

  it('keeps the key when the worker is stopped and a new worker resumes the workflow', async () => {
    provider.route('/resume', { script: [{ status: 503 }, { status: 503 }], then: { status: 200 } });
    const taskQueue = uniqueTaskQueue('resume');
    // No workflow cache: the test server does not move a dead worker's sticky workflow tasks back to the task queue.
    const first = await createExampleWorker(env, taskQueue, {
      plugins: [resiliencePlugin()],
      maxCachedWorkflows: 0,
    });
    const handle = await env.client.workflow.start('callProviderWorkflow', {
      taskQueue,
      workflowId: taskQueue,
      args: [{ url: provider.url('/resume'), policy: 'httpApi' }],
    });
    await first.runUntil(async () => {
      while (provider.calls('/resume') < 1) await new Promise((r) => setTimeout(r, 10));
    });
    expect(provider.calls('/resume')).toBe(1);
    const second = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    await second.runUntil(withTimeSkipping(env, (client) => client.result(handle.workflowId)));
    const keys = provider.requests('/resume').map((r) => r.idempotencyKey);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it('works with a prebuilt bundle when the plugin is passed to bundleWorkflowCode too', async () => {
    provider.route('/bundled', { then: { status: 200 } });
    const plugin = resiliencePlugin();
    const run = async (bundlePlugins: BundlerPlugin[]) => {
      const workflowBundle = await bundleWorkflowCode({
        workflowsPath: EXAMPLE_WORKFLOWS_PATH,
        plugins: bundlePlugins,
        logger: new DefaultLogger('ERROR'),
      });
      const taskQueue = uniqueTaskQueue('bundled');
      const worker = await createExampleWorker(env, taskQueue, {
        workflowsPath: undefined,
        workflowBundle,
        plugins: [plugin],
      });
      await worker.runUntil(
        env.client.workflow.execute('callProviderWorkflow', {
          taskQueue,
          workflowId: taskQueue,
          args: [{ url: provider.url('/bundled'), policy: 'httpApi' }],
        }),
      );
      return provider.requests('/bundled').at(-1)!.idempotencyKey;
    };
    expect(await run([plugin])).toHaveLength(IDEMPOTENCY_KEY_LENGTH);
    // Without it the bundle has no step-name interceptor: no key is sent (and idempotencyKey() would throw).
    expect(await run([])).toBeUndefined();
  });

  it('reconciles before retrying: a charge committed whose response timed out is not charged twice', async () => {
    const prefix = `/${uniqueTaskQueue('pay')}`;
    const ledger = installTravelApi(provider, { chargeHangsAfterCommit: true }, prefix);
    const taskQueue = uniqueTaskQueue('reconcile');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    const input: TripBookingInput = {
      trip: { baseUrl: provider.url(prefix), traveller: 'ada', amountCents: 500 },
    };
    const booking = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('tripBookingWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [input],
      });
      return withTimeSkipping(env, (client) => client.result(handle.workflowId));
    });
    const charges = provider.requests(`${prefix}/payments/charges`);
    expect(charges.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(charges[1]!.url).toContain(`idempotency_key=${charges[0]!.idempotencyKey}`);
    expect(ledger.createdCount('payments')).toBe(1);
    expect(booking).toMatchObject({ charge: { id: 'CH-1' } });
  });
});
