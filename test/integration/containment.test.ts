import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { retryDecisionOf } from '../../client';
import { resiliencePlugin, type CircuitStateChange, type RetryDecision } from '../../index';
import { type FakeProvider } from '../../testing';
import type { CallProviderInput } from '../../examples/workflows/call-provider';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { activityTimeline, historyEvents } from '../helpers/history';
import { createExampleWorker } from '../helpers/worker';

// Containment keeps real time (it protects a provider, whose clock never skips), so these run on the dev server.
describe('per-tool containment shared by parallel workflows, on the real dev server', () => {
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

  it('10 workflows against a tool down for 3 s: the open circuit stops calls, attempts wait in the worker, a successful probe releases them', async () => {
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
      onStateChange: (change) => changes.push({ ...change, at: Date.now() }),
      onClassified: (decision) => decisions.push(decision),
    });
    const { start, outcome, worker } = setup('circuit', plugin);
    const input: CallProviderInput = { url: provider.url('/down'), policy: 'httpApi', maximumAttempts: 30 };
    const outcomes = await (
      await worker
    ).runUntil(async () => {
      const handles = await Promise.all(Array.from({ length: 10 }, (_, i) => start(input, i)));
      return Promise.all(handles.map(outcome));
    });
    expect(outcomes.every((o) => o.ok)).toBe(true);

    // The defaults open the circuit, probe, and close it once a probe succeeds.
    expect(changes.map((c) => c.to)).toContain('open');
    expect(changes.at(-1)!.to).toBe('closed');
    const requests = provider.requests('/down');
    const closedAt = changes.at(-1)!.at;
    const opens = changes.filter((c) => c.to === 'open');
    // While open, no call is admitted: what reaches the provider in an open period is at most what was already in
    // flight when it opened (the limit stays at its first-wave 2 during an outage: only successes grow it).
    for (const open of opens) {
      const next = changes.find((c) => c.at >= open.at && c.to !== 'open');
      const during = requests.filter((r) => r.receivedAt > open.at && r.receivedAt < (next?.at ?? Infinity));
      expect(during.length).toBeLessThanOrEqual(1);
    }
    // The closing probe is the first success; every other success comes after it (the waiters it released).
    const successes = requests.filter((r) => r.status === 200);
    expect(successes).toHaveLength(10);
    expect(Math.min(...successes.slice(1).map((r) => r.receivedAt))).toBeGreaterThanOrEqual(
      successes[0]!.receivedAt,
    );
    expect(successes[0]!.receivedAt).toBeLessThanOrEqual(closedAt);
    // No attempt went back to the server to wait: refusals stayed in the worker (a 3 s outage, a 30 s bound).
    expect(decisions.filter((d) => d.failureType === 'CircuitOpen')).toEqual([]);
    const duringOutage = requests.filter((r) => r.receivedAt < recoverAt).length;
    const retriesOnServer = decisions.filter((d) => d.kind === 'retry').length;
    console.log(
      `outage: ${duringOutage} calls during ${downForMs} ms from 10 workflows; ${opens.length} opens; ` +
        `${retriesOnServer} RETRY failures went back to the server`,
    );
    // The first wave is bounded by slow start: a handful of calls, then probes only.
    expect(duringOutage).toBeLessThanOrEqual(10);
    expect(plugin.circuitStates().callProvider).toBe('closed');
  });

  it('CAP answers never open the circuit: 30 workflows against 2 slots converge on the capacity with few 429s', async () => {
    provider.route('/cap', { maxInFlight: 2, then: { status: 200, delayMs: 150 } });
    const changes: CircuitStateChange[] = [];
    const plugin = resiliencePlugin({ onStateChange: (change) => changes.push(change) });
    const { start, outcome, worker } = setup('cap', plugin);
    const input: CallProviderInput = { url: provider.url('/cap'), policy: 'httpApi' };
    const outcomes = await (
      await worker
    ).runUntil(async () => {
      const handles = await Promise.all(Array.from({ length: 30 }, (_, i) => start(input, i)));
      return Promise.all(handles.map(outcome));
    });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(changes).toEqual([]);
    const status = (await plugin.toolStates()).callProvider!;
    expect(status.circuit).toBe('closed');
    expect(Math.abs(status.concurrencyLimit - 2)).toBeLessThanOrEqual(1);
    const caps = provider.responsesWithStatus(429, '/cap');
    console.log(
      `CAP: 30 workflows, capacity 2: ${provider.calls('/cap')} calls, ${caps} x 429, limit ${status.concurrencyLimit}`,
    );
    // Slow start finds the wall once; then growth near it is slow. (Temporal's default policy: about 2 per job.)
    expect(caps).toBeLessThanOrEqual(6);
    expect(provider.calls('/cap')).toBe(30 + caps);
  });

  it('an attempt that cannot wait in the worker goes back to the server with the predicted delay, and refusals do not use up maximumAttempts', async () => {
    provider.route('/slow', { then: { status: 200, delayMs: 1_500 } });
    const decisions: Array<{ workflowId: string; decision: RetryDecision }> = [];
    const plugin = resiliencePlugin({
      defaultToolLimits: { maxConcurrency: 1, maxQueueWaitMs: 100 },
      onClassified: (decision, info) =>
        decisions.push({ workflowId: info.workflowExecution?.workflowId ?? '', decision }),
    });
    const { start, worker } = setup('bounded-wait', plugin);
    // Two attempts allowed; the third workflow is refused more than twice before it gets the slot.
    const input: CallProviderInput = { url: provider.url('/slow'), policy: 'httpApi', maximumAttempts: 2 };
    const handles = await (
      await worker
    ).runUntil(async () => {
      const started = await Promise.all(Array.from({ length: 3 }, (_, i) => start(input, i)));
      await Promise.all(started.map((h) => h.result()));
      return started;
    });
    expect(provider.calls('/slow')).toBe(3);
    const refusals = decisions.filter((d) => d.decision.reason === 'concurrency-limit');
    expect(refusals.length).toBeGreaterThan(2);
    for (const { decision } of refusals) {
      expect(decision).toMatchObject({
        failureType: 'RateLimitCap',
        nonRetryable: false,
        retryAfterMs: 1_000,
      });
      expect(decision.delayMs).toBeGreaterThanOrEqual(1_000);
    }
    // The server honoured the delays: each workflow's final attempt started no earlier than its last nextNotBefore.
    for (const handle of handles) {
      const mine = refusals.filter((d) => d.workflowId === handle.workflowId);
      if (mine.length === 0) continue;
      const notBefore = Math.max(...mine.map((d) => Date.parse(d.decision.nextNotBefore!)));
      const finalStart = activityTimeline(await historyEvents(handle)).startedMs;
      expect(finalStart).toBeGreaterThanOrEqual(notBefore - 1);
    }
  });

  it('a quota STOP against 10 concurrent first attempts costs about 2 calls (the first wave is bounded)', async () => {
    provider.route('/quota-wave', {
      then: { status: 429, delayMs: 100, body: { error: { code: 'insufficient_quota' } } },
    });
    const { start, outcome, worker } = setup('quota-wave', resiliencePlugin());
    const input: CallProviderInput = { url: provider.url('/quota-wave'), policy: 'llm' };
    const outcomes = await (
      await worker
    ).runUntil(async () => {
      const handles = await Promise.all(Array.from({ length: 10 }, (_, i) => start(input, i)));
      return Promise.all(handles.map(outcome));
    });
    expect(outcomes.map((o) => !o.ok && retryDecisionOf(o.error)?.failureType)).toEqual(
      Array(10).fill('QuotaExhausted'),
    );
    expect(provider.calls('/quota-wave')).toBeLessThanOrEqual(2);
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
    expect(plugin.circuitStates().callProvider).toBe('closed');
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
