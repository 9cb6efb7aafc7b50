import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { retryDecisionOf } from '../../client';
import { resiliencePlugin, type CircuitStateChange, type RetryDecision } from '../../index';
import { type FakeProvider } from '../../testing';
import type { CallProviderInput } from '../../examples/workflows/call-provider';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

// Circuits, pauses and holds keep real time (they protect a provider), so these run on the dev server.
describe('shared per-tool state across parallel workflows, on the real dev server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => ({ env, provider } = await startServers('dev-server')));
  afterAll(() => stopServers({ env, provider }));

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  function setup(name: string, plugin: ReturnType<typeof resiliencePlugin>) {
    const taskQueue = uniqueTaskQueue(name);
    const start = (input: CallProviderInput, i: number) =>
      env.client.workflow.start('callProviderWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-${i}`,
        args: [input],
      });
    const outcome = (handle: Awaited<ReturnType<typeof start>>) =>
      handle.result().then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    return { taskQueue, start, outcome, worker: createExampleWorker(env, taskQueue, { plugins: [plugin] }) };
  }

  it('10 workflows against a tool that is down: the open circuit stops calls, retries wait on the server, all recover', async () => {
    const downForMs = 3_000;
    let recoverAt = Infinity; // the outage starts with the first call
    provider.route('/down', {
      respond: (request) => {
        if (request.callNumber === 1) recoverAt = request.receivedAt + downForMs;
        return request.receivedAt < recoverAt ? { status: 503 } : { status: 200 };
      },
    });
    const changes: Array<CircuitStateChange & { at: number }> = [];
    const decisions: RetryDecision[] = [];
    const plugin = resiliencePlugin({
      defaultToolLimits: { circuit: { mode: 'consecutive', consecutiveFailures: 3, resetTimeout: 1_000 } },
      onStateChange: (change) => changes.push({ ...change, at: Date.now() }),
      onClassified: (decision) => decisions.push(decision),
    });
    const { start, outcome, worker } = setup('circuit', plugin);
    const input: CallProviderInput = {
      url: provider.url('/down'),
      policy: 'httpApi',
      initialIntervalSeconds: 0.2,
      maximumAttempts: 30,
    };
    const outcomes = await (
      await worker
    ).runUntil(async () => {
      const handles = await Promise.all(Array.from({ length: 10 }, (_, i) => start(input, i)));
      return Promise.all(handles.map(outcome));
    });
    expect(outcomes.every((o) => o.ok)).toBe(true);

    const opened = changes.filter((c) => c.to === 'open');
    const halfOpened = changes.filter((c) => c.to === 'half-open');
    expect(opened.length).toBeGreaterThanOrEqual(1);
    expect(changes.at(-1)!.to).toBe('closed');
    // While the circuit was open the provider received no retry. (A workflow's first attempt may still arrive just
    // after the circuit opened: the first wave of 10 was admitted together, before any failure came back.)
    const openIntervals = opened.map((o) => [
      o.at,
      changes.find((c) => c.at >= o.at && c.to !== 'open')?.at ?? Infinity,
    ]);
    const firstOfKey = new Set<string>();
    const retriesWhileOpen = provider.requests('/down').filter((r) => {
      const first = !firstOfKey.has(r.idempotencyKey!);
      firstOfKey.add(r.idempotencyKey!);
      return !first && openIntervals.some(([from, to]) => r.receivedAt > from! && r.receivedAt < to!);
    });
    expect(retriesWhileOpen).toEqual([]);
    // During the outage: the first wave, then only probes (one per half-open period).
    const duringOutage = provider.requests('/down').filter((r) => r.receivedAt < recoverAt).length;
    console.log(
      `circuit: ${duringOutage} calls during a ${downForMs} ms outage from 10 workflows; ${opened.length} opens, ${halfOpened.length} half-opens`,
    );
    expect(duringOutage).toBeLessThanOrEqual(10 + halfOpened.length);
    // Refused attempts waited on the server: CircuitOpen failures with a delay until the probe, later and later.
    const refusals = decisions.filter((d) => d.failureType === 'CircuitOpen');
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((d) => d.benign && !d.nonRetryable && d.delayMs! > 0)).toBe(true);
    const times = refusals.map((d) => Date.parse(d.nextNotBefore!));
    expect(Math.max(...times)).toBeGreaterThan(Math.min(...times));
    expect(plugin.circuitStates().callProvider).toMatchObject({ state: 'closed' });
  });

  it('a storm of 422s does not open the circuit', async () => {
    provider.route('/invalid', { then: { status: 422, body: { error: 'bad input' } } });
    const plugin = resiliencePlugin({
      defaultToolLimits: { circuit: { mode: 'consecutive', consecutiveFailures: 3 } },
    });
    const { start, outcome, worker } = setup('storm-422', plugin);
    const outcomes = await (
      await worker
    ).runUntil(async () => {
      const handles = await Promise.all(
        Array.from({ length: 12 }, (_, i) => start({ url: provider.url('/invalid'), policy: 'httpApi' }, i)),
      );
      return Promise.all(handles.map(outcome));
    });
    expect(outcomes.map((o) => !o.ok && retryDecisionOf(o.error)?.failureType)).toEqual(
      Array(12).fill('PermanentFailure'),
    );
    expect(provider.calls('/invalid')).toBe(12);
    expect(plugin.circuitStates().callProvider).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('a WAIT seen by one workflow keeps the other nine from calling until its Retry-After has passed', async () => {
    // Retry-After 3 s rather than 30 s keeps the suite fast; the mechanism does not depend on the length.
    const retryAfterMs = 3_000;
    provider.route('/wait', {
      script: [{ status: 429, headers: { 'retry-after': String(retryAfterMs / 1000) } }],
      then: { status: 200 },
    });
    const { start, outcome, worker } = setup('shared-wait', resiliencePlugin());
    const input: CallProviderInput = { url: provider.url('/wait'), policy: 'httpApi', maximumAttempts: 20 };
    const outcomes = await (
      await worker
    ).runUntil(async () => {
      const first = await start(input, 0);
      while (provider.responsesWithStatus(429, '/wait') === 0) await sleep(10);
      const others = await Promise.all(Array.from({ length: 9 }, (_, i) => start(input, i + 1)));
      return Promise.all([first, ...others].map(outcome));
    });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const [rejected, ...after] = provider.requests('/wait');
    expect(rejected!.status).toBe(429);
    expect(after).toHaveLength(10);
    expect(Math.min(...after.map((r) => r.receivedAt)) - rejected!.receivedAt).toBeGreaterThanOrEqual(
      retryAfterMs - 20,
    );
  });

  it('a STOP seen once makes the other workflows fail QuotaExhausted with zero further calls', async () => {
    provider.route('/quota', { then: { status: 429, body: { error: { code: 'insufficient_quota' } } } });
    const { start, outcome, worker } = setup('shared-stop', resiliencePlugin());
    const input: CallProviderInput = { url: provider.url('/quota'), policy: 'llm' };
    const outcomes = await (
      await worker
    ).runUntil(async () => {
      const first = await outcome(await start(input, 0));
      const others = await Promise.all(Array.from({ length: 9 }, (_, i) => start(input, i + 1)));
      return [first, ...(await Promise.all(others.map(outcome)))];
    });
    expect(provider.calls('/quota')).toBe(1);
    for (const o of outcomes) {
      expect(o.ok).toBe(false);
      expect(!o.ok && o.error).toBeInstanceOf(WorkflowFailedError);
      expect(!o.ok && retryDecisionOf(o.error)).toMatchObject({
        failureType: 'QuotaExhausted',
        reason: 'quota-text',
        nonRetryable: true,
      });
    }
  });
});
