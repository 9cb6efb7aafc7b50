// The Redis store's faults and fleet behaviour on a real redis-server: killed mid-run (degraded mode on the worker's
// share of the limits, one announcement, recovery), wake-ups between workers, tenant scoping, option checks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GovernorRegistry, shareOf } from '../../../interceptors/containment/governor-registry';
import { redisStore, type RedisGovernorStore } from '../../../interceptors/containment/redis-store';
import {
  TenantScopeActivityInboundInterceptor,
  splitToolKey,
  tenantToolKey,
} from '../../../interceptors/containment/tenant-scope';
import type { Permit, Refusal, ToolGovernor } from '../../../interceptors/containment/tool-governor';
import { validateResilienceOptions } from '../../../interceptors/resilience-options';
import { toolSettingsOf } from '../../../interceptors/containment/tool-options';
import { initialToolState, type ToolState } from '../../../src/containment/tool-state';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import type { Info } from '@temporalio/activity';
import type { ActivityExecuteInput } from '@temporalio/worker';

let redis: RedisServer;
const cleanup: Array<() => unknown> = [];
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});
afterAll(async () => {
  await redis?.stop();
});

function store(
  options: { prefix?: string; callTimeoutMs?: number; retryMs?: number } = {},
): RedisGovernorStore {
  const s = redisStore({
    url: redis.url,
    keyPrefix: options.prefix ?? `faults-${process.pid}-${++prefixes}:`,
    callTimeoutMs: options.callTimeoutMs ?? 5_000,
    retryMs: options.retryMs ?? 50,
  });
  cleanup.push(() => s.close());
  return s;
}

function registry(
  s: RedisGovernorStore,
  extra: Partial<ConstructorParameters<typeof GovernorRegistry>[0]> = {},
) {
  const r = new GovernorRegistry({
    quotaHoldMs: 60_000,
    tools: { llm: { maxConcurrency: 4, initialConcurrency: 4 } },
    store: s,
    ...extra,
  });
  cleanup.push(() => r.shutdown());
  return r;
}

const request = { leaseTtlMs: 60_000, maxWaitMs: 30_000 };

async function grab(governor: ToolGovernor, n: number, maxWaitMs = 0): Promise<Permit[]> {
  const out: Permit[] = [];
  for (let i = 0; i < n; i++) {
    const p = await governor.acquire({ ...request, maxWaitMs });
    if (p.granted) out.push(p);
  }
  return out;
}

describe('RedisGovernorStore faults', () => {
  it('keeps working on the worker share of the limits while Redis is down, says so once, and goes back', async () => {
    const s = store({ callTimeoutMs: 200, retryMs: 100 });
    const events: boolean[] = [];
    s.onDegradedChange((degraded) => events.push(degraded));
    const tools = registry(s, { expectedWorkers: 2 });
    const llm = tools.governorFor('llm');
    await s.ready();

    const shared = await grab(llm, 6);
    expect(shared).toHaveLength(4); // the fleet limit, in Redis
    await Promise.all(shared.map((p) => p.release('success')));

    await redis.kill();
    // Every call still answers: local state, the worker's share (4 / 2 workers).
    const local = await grab(llm, 6);
    expect(local).toHaveLength(2);
    expect(s.degraded).toBe(true);
    expect(Object.values(await tools.toolStates()).every((t) => t.degraded === true)).toBe(true);
    await Promise.all(local.map((p) => p.release('success')));
    await grab(llm, 3).then((ps) => Promise.all(ps.map((p) => p.release('success'))));
    expect(events).toEqual([true]); // one announcement, however many calls failed

    await redis.restart();
    await s.ready();
    // The next call past retryMs tries Redis again and finds it: shared state, the fleet limit.
    let back: Permit[] = [];
    for (let i = 0; i < 100 && s.degraded; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      back = await grab(llm, 1);
      await Promise.all(back.map((p) => p.release('success')));
    }
    expect(s.degraded).toBe(false);
    expect(events).toEqual([true, false]);
    back = await grab(llm, 6);
    expect(back).toHaveLength(4);
    await Promise.all(back.map((p) => p.release('success')));
    expect((await tools.toolStates()).llm?.degraded).toBe(false);
  });

  it('while one call tries Redis again, the others wait for its answer instead of deciding on local state', async () => {
    // A generous deadline: on a loaded machine the probe (read, script load, compare-and-set) must not time out.
    const s = store({ callTimeoutMs: 2_000, retryMs: 60_000 });
    await s.ready();
    const settings = toolSettingsOf({}, 60_000);
    const init = () => initialToolState(settings, Date.now());
    const holdReason = () =>
      s.update('llm', init, (state: ToolState) => ({ state, result: state.hold?.reason }));
    await redis.kill();
    // Degraded: a quota hold this worker learned on its local state only (Redis never had it).
    await s.update('llm', init, (state: ToolState) => ({
      state: { ...state, hold: { untilMs: Date.now() + 3_600_000, reason: 'local only' } },
      result: undefined,
    }));
    expect(s.degraded).toBe(true);
    expect(await holdReason()).toBe('local only');

    await redis.restart();
    await s.ready(); // the client is back (its 'ready' lets the next call try Redis at once, despite retryMs)
    // Three calls at once: the first tries Redis, the other two wait for its answer. Redis answers, so the local
    // state is dropped and all three decide on the shared state, where no hold was ever set.
    expect(await Promise.all([holdReason(), holdReason(), holdReason()])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(s.degraded).toBe(false);
  });

  it('a probe whose reducer throws still finds Redis: the caller gets its error, the store is shared again', async () => {
    const s = store({ callTimeoutMs: 2_000, retryMs: 60_000 });
    await s.ready();
    const init = () => initialToolState(toolSettingsOf({}, 60_000), Date.now());
    await redis.kill();
    await s.update('llm', init, (state: ToolState) => ({ state, result: undefined }));
    expect(s.degraded).toBe(true);
    await redis.restart();
    await s.ready();
    const failing = s.update('llm', init, () => {
      throw new Error('reducer failed');
    });
    await expect(failing).rejects.toThrow('reducer failed');
    expect(s.degraded).toBe(false);
  });

  it('answers within its deadline when Redis is unreachable from the start', async () => {
    const s = redisStore({ url: 'redis://127.0.0.1:1', callTimeoutMs: 100, retryMs: 60_000 });
    cleanup.push(() => s.close());
    const tools = registry(s, { expectedWorkers: 4 });
    const permits = await grab(tools.governorFor('llm'), 3);
    expect(permits).toHaveLength(1); // 4 slots / 4 workers
    expect(s.degraded).toBe(true);
  });
});

describe('fleet wake-ups', () => {
  it("a lease released in one worker lets another worker's waiter go at once (pub/sub, no re-check)", async () => {
    const prefix = `wake-${process.pid}:`;
    const a = registry(store({ prefix }), { tools: { llm: { maxConcurrency: 1 } } });
    // Re-checks so rare that only the wake-up message can let the waiter go before the test times out.
    const b = registry(store({ prefix }), { tools: { llm: { maxConcurrency: 1 } }, recheckMs: 3_600_000 });
    const [held] = await grab(a.governorFor('llm'), 1);
    expect(held).toBeDefined();
    const waiter = b.governorFor('llm');
    const woken = new Promise<void>((resolve) => {
      const wake = waiter.wake.bind(waiter);
      waiter.wake = () => (resolve(), wake());
    });
    const waiting = waiter.acquire({ ...request, maxWaitMs: 50_000 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the subscription settle and b queue
    expect(waiter.waiting).toBe(1);
    await held!.release('success');
    await woken; // the release reached the other worker as a message
    const permit = (await waiting) as Permit | Refusal;
    expect(permit.granted).toBe(true);
    if (permit.granted) await permit.release('success');
  });

  it('a quota hold set by one worker refuses the other at once', async () => {
    const prefix = `hold-${process.pid}:`;
    const a = registry(store({ prefix }));
    const b = registry(store({ prefix }));
    await a.governorFor('llm').hold(Date.now() + 30_000, 'quota');
    const refusal = (await b.governorFor('llm').acquire(request)) as Refusal;
    expect(refusal).toMatchObject({ granted: false, gate: 'hold', reason: 'quota' });
    await b.release('llm');
    const permit = await a.governorFor('llm').acquire(request);
    expect(permit.granted).toBe(true);
    if (permit.granted) await permit.release('success');
  });
});

describe('shared circuit', () => {
  it('opens for every worker when one sees the failures, and lets ONE probe through fleet-wide', async () => {
    const prefix = `circuit-${process.pid}:`;
    const tools = {
      api: {
        maxConcurrency: 10,
        circuit: { mode: 'consecutive' as const, consecutiveFailures: 2, openMs: 300 },
      },
    };
    const a = registry(store({ prefix }), { tools });
    const b = registry(store({ prefix }), { tools });
    for (const p of await grab(a.governorFor('api'), 2)) await p.release('failure');
    expect(await b.governorFor('api').acquire({ ...request, maxWaitMs: 0 })).toMatchObject({
      granted: false,
      gate: 'open',
    });
    await new Promise((resolve) => setTimeout(resolve, 350)); // the open period ends
    const answers = await Promise.all(
      [a, b, a, b].map((r) => r.governorFor('api').acquire({ ...request, maxWaitMs: 0 })),
    );
    const probes = answers.filter((x): x is Permit => x.granted);
    expect(probes).toHaveLength(1);
    expect(probes[0]!.probe).toBe(true);
    expect(answers.filter((x) => !x.granted).map((x) => (x as Refusal).gate)).toEqual([
      'half-open',
      'half-open',
      'half-open',
    ]);
    await probes[0]!.release('success');
    const after = await b.governorFor('api').acquire({ ...request, maxWaitMs: 0 });
    expect(after.granted).toBe(true); // closed again, for the other worker too
    if (after.granted) await after.release('success');
  });
});

describe('tenant scoping', () => {
  it('keys a tool per tenant, so one tenant held shut does not hold another', async () => {
    const tools = registry(store(), { tenantScoped: true });
    const info = { activityType: 'llm' } as Info;
    const run = (tenant: string, fn: () => Promise<unknown>) =>
      new TenantScopeActivityInboundInterceptor(
        info,
        (_i, args) => (args[0] as { tenant: string }).tenant,
      ).execute({ args: [{ tenant }], headers: {} } as unknown as ActivityExecuteInput, () => fn());
    await run('acme', () => tools.governorFor('llm').hold(Date.now() + 30_000, 'quota'));
    const acme = (await run('acme', () => tools.governorFor('llm').acquire(request))) as Permit | Refusal;
    const globex = (await run('globex', () => tools.governorFor('llm').acquire(request))) as Permit | Refusal;
    expect(acme).toMatchObject({ granted: false, gate: 'hold' });
    expect(globex.granted).toBe(true);
    if (globex.granted) await globex.release('success');
    const states = await tools.toolStates();
    expect(Object.keys(states).sort()).toEqual([
      tenantToolKey('llm', 'acme'),
      tenantToolKey('llm', 'globex'),
    ]);
    // Metrics see the tool only.
    expect(Object.keys(await tools.toolStatesForMetrics())).toEqual(['llm']);
    expect(Object.keys(tools.circuitStates())).toEqual(['llm']);
    expect(splitToolKey(tenantToolKey('llm', 'acme'))).toEqual({ toolKey: 'llm', tenant: 'acme' });
    // The tenant's tool uses the tool's options (maxConcurrency 4).
    expect(states[tenantToolKey('llm', 'globex')]?.concurrencyLimit).toBe(4);
  });
});

describe('fleet options', () => {
  it('scales the configured limits to one worker share', () => {
    expect(shareOf({ maxConcurrency: 5, requestsPerSecond: 9, tokensPerMinute: 300 }, 3)).toEqual({
      maxConcurrency: 1,
      requestsPerSecond: 3,
      tokensPerMinute: 100,
    });
    expect(shareOf({ maxConcurrency: 2 }, 1)).toEqual({ maxConcurrency: 2 });
  });

  it.each<[unknown, string]>([
    [
      { store: {} },
      'Invalid option store (object): must be a governor store: an object with update, read and entries methods',
    ],
    [
      { expectedWorkers: 0 },
      'Invalid option expectedWorkers (0): must be a whole number of workers from 1 to 10000',
    ],
    [{ tenantOf: 'apiKey' }, 'Invalid option tenantOf ("apiKey"): must be a function'],
  ])('rejects %j', (options, message) => {
    expect(() => validateResilienceOptions(options as never)).toThrow(message);
  });
});

describe('tenant scoping through the plugin', () => {
  it("reads the tenant before the toolkit's interceptor, so each tenant's tool has its own state", async () => {
    const { MockActivityEnvironment } = await import('@temporalio/testing');
    const { createResilienceInterceptors } = await import('../../../interceptors/plugin');
    const interceptors = createResilienceInterceptors({
      store: store(),
      tenantOf: (_info, args) => (args[0] as { tenant?: string }).tenant,
    });
    cleanup.push(() => interceptors.tools.shutdown());
    const info = {
      activityType: 'llm',
      workflowType: 'wf',
      workflowExecution: { workflowId: 'w', runId: 'r' },
      currentAttemptScheduledTimestampMs: Date.now(),
    };
    const env = new MockActivityEnvironment(info, { interceptors: interceptors.activity });
    const activity = async (_input: { tenant?: string }) => 'done';
    expect(await env.run(activity, { tenant: 'acme' })).toBe('done');
    expect(await env.run(activity, { tenant: 'globex' })).toBe('done');
    expect(await env.run(activity, {})).toBe('done');
    expect(Object.keys(await interceptors.tools.toolStates()).sort()).toEqual([
      'llm',
      tenantToolKey('llm', 'acme'),
      tenantToolKey('llm', 'globex'),
    ]);
  });
});
