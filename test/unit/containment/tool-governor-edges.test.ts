import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryGovernorStore } from '../../../interceptors/containment/governor-store';
import {
  ToolGovernor,
  WaitCancelledError,
  type Permit,
} from '../../../interceptors/containment/tool-governor';
import { toolSettingsOf, type ToolOptions } from '../../../interceptors/containment/tool-options';
import { initialToolState } from '../../../src/containment/tool-state';

// The per-tool governor on vitest's fake clock (tool-governor.test.ts covers the main paths): how it reads a
// provider's answer, the refusals it hands back to the server, waiters behind the head, shutdown, and the operator
// calls. No real time passes.

const request = { leaseTtlMs: 60_000, maxWaitMs: 10_000 };
function governor(options: ToolOptions = {}, store = new MemoryGovernorStore()) {
  const changes: string[] = [];
  const g = new ToolGovernor('search', toolSettingsOf(options, 60_000), store, (c) => {
    changes.push(`${c.from}->${c.to}`);
  });
  return { g, changes, store };
}
async function settleMicrotasks() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe('reading a provider answer', () => {
  it('a Retry-After up to maxPauseMs pauses the tool; one second more holds it shut', async () => {
    const { g } = governor();
    await g.observe(429, { 'retry-after': '60' }, 60_000, 'owner-1');
    expect((await g.state()).pause).toEqual({
      untilMs: Date.now() + 60_000,
      reason: 'retry-after',
      owner: 'owner-1',
    });
    expect((await g.state()).hold).toBeUndefined();
    const other = governor().g;
    await other.observe(503, { 'retry-after': '61' }, 60_000);
    expect((await other.state()).hold).toEqual({ untilMs: Date.now() + 60_000, reason: 'retry-after-long' });
    expect((await other.state()).pause).toBeUndefined();
  });

  it('reads retry-after-ms when there is no Retry-After, rounding a fraction up', async () => {
    const { g } = governor();
    await g.observe(429, { 'retry-after-ms': ' 1500.2 ' }, 60_000);
    expect((await g.state()).pause?.untilMs).toBe(Date.now() + 1_501);
  });

  it('ignores a retry-after-ms that is not a number of milliseconds', async () => {
    for (const value of ['soon', '-5', '1e3', '']) {
      const { g, store } = governor();
      await g.observe(429, { 'retry-after-ms': value }, 60_000);
      expect(store.has('search')).toBe(false);
    }
  });

  it('a Retry-After on any status but 429 and 503 is not a request to wait', async () => {
    for (const status of [200, 500, 502]) {
      const { g, store } = governor();
      await g.observe(status, { 'retry-after': '5' }, 60_000);
      expect(store.has('search')).toBe(false);
    }
  });

  it('paces by rate-limit headers on any answer, with or without a Retry-After', async () => {
    const { g } = governor();
    await g.observe(
      200,
      {
        'x-ratelimit-limit-requests': '100',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '2s',
        'x-ratelimit-limit-tokens': '1000',
        'x-ratelimit-remaining-tokens': '500',
        'x-ratelimit-reset-tokens': '10s',
      },
      60_000,
    );
    const state = await g.state();
    expect(state.pause).toEqual({ untilMs: Date.now() + 2_000, reason: 'rate-limit-exhausted' });
    expect(state.tokens).toMatchObject({ capacity: 950, refillPerMs: 500 / 10_000 });
  });
});

describe('refusals handed back to the server', () => {
  it('an attempt that may not wait at all is refused at once, told to come back in a second', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    expect(await g.acquire({ ...request, maxWaitMs: 0 })).toEqual({
      granted: false,
      gate: 'concurrency',
      reason: 'concurrency-limit',
      retryAfterMs: 1_000,
      waitedMs: 0,
    });
  });

  it('a quota hold refuses at once with the time left, rounded up to a whole ms and at least 1', async () => {
    const { g } = governor();
    await g.hold(Date.now() + 2_500.4, 'insufficient_quota');
    expect(await g.acquire(request)).toEqual({
      granted: false,
      gate: 'hold',
      reason: 'insufficient_quota',
      retryAfterMs: 2_501,
      waitedMs: 0,
    });
  });

  it('a wait that ends exactly at the bound is waited, not refused', async () => {
    const { g } = governor();
    await g.pause(Date.now() + 2_000, 'retry-after');
    const waiting = g.acquire({ ...request, maxWaitMs: 2_000 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 2_000 });
  });

  it('one behind the head goes back when its own bound passes, with the wait predicted for the head', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    void g.acquire(request);
    const second = g.acquire({ ...request, maxWaitMs: 500 });
    await vi.advanceTimersByTimeAsync(500);
    expect(await second).toEqual({
      granted: false,
      gate: 'concurrency',
      reason: 'concurrency-limit',
      retryAfterMs: 1_000,
      waitedMs: 500,
    });
    expect(g.waiting).toBe(1);
  });

  it('behind a paused head, one whose bound is shorter goes back with the time left of the pause', async () => {
    const { g } = governor();
    await g.pause(Date.now() + 8_000, 'retry-after');
    const head = g.acquire(request);
    await settleMicrotasks();
    // Queued behind the head, it is not judged on its own: it waits until its bound, then goes back.
    const second = g.acquire({ ...request, maxWaitMs: 3_000 });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await second).toEqual({
      granted: false,
      gate: 'pause',
      reason: 'retry-after',
      retryAfterMs: 5_000,
      waitedMs: 3_000,
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await head).toMatchObject({ granted: true, waitedMs: 8_000 });
  });
});

describe('waiting', () => {
  it('a call that may go now goes even when its activity was already cancelled; only a wait is cut short', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    const controller = new AbortController();
    controller.abort();
    const first = await g.acquire({ ...request, signal: controller.signal });
    expect(first.granted).toBe(true);
    await expect(g.acquire({ ...request, signal: controller.signal })).rejects.toBeInstanceOf(
      WaitCancelledError,
    );
    expect(g.waiting).toBe(0);
  });

  it('a permit released twice frees its slot once', async () => {
    const { g } = governor({ maxConcurrency: 2 });
    const a = (await g.acquire(request)) as Permit;
    const b = (await g.acquire(request)) as Permit;
    expect(g.busy).toBe(true);
    await a.release('success');
    await a.release('success');
    expect(Object.keys((await g.state()).leases)).toHaveLength(1);
    expect(g.busy).toBe(true);
    await b.release('success');
    expect(g.busy).toBe(false);
  });

  it('corrects the tokens declared at admission by the tokens a call really used', async () => {
    const { g } = governor({ tokensPerMinute: 10_000 });
    const permit = (await g.acquire({ ...request, tokens: 1_000 })) as Permit;
    expect((await g.state()).tokens?.tokens).toBe(7_000);
    await permit.release('success', 400);
    expect((await g.state()).tokens?.tokens).toBe(7_600);
  });

  it('shutdown sends every waiter back to the server and stops their timers', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    const heartbeat = vi.fn();
    const waiters = [g.acquire({ ...request, heartbeat }), g.acquire(request)];
    await vi.advanceTimersByTimeAsync(1_500);
    g.shutdown();
    for (const w of waiters)
      expect(await w).toEqual({
        granted: false,
        gate: 'concurrency',
        reason: 'worker-shutdown',
        retryAfterMs: 1_000,
        waitedMs: 1_500,
      });
    expect(g.waiting).toBe(0);
    const beats = heartbeat.mock.calls.length;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(heartbeat).toHaveBeenCalledTimes(beats);
  });

  it('a heartbeat that throws (the activity already ended) does not end the wait', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    const first = (await g.acquire(request)) as Permit;
    const waiting = g.acquire({
      ...request,
      heartbeat: () => {
        throw new Error('activity gone');
      },
    });
    await vi.advanceTimersByTimeAsync(2_500);
    await first.release('success');
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 2_500 });
  });
});

describe('operators and state', () => {
  it('reports circuit changes, and a hook that throws does not break containment', async () => {
    const store = new MemoryGovernorStore();
    const g = new ToolGovernor(
      'search',
      toolSettingsOf({ circuit: { volumeThreshold: 2 } }, 60_000),
      store,
      () => {
        throw new Error('hook bug');
      },
    );
    for (let i = 0; i < 2; i++) await ((await g.acquire(request)) as Permit).release('failure');
    expect(g.circuitName).toBe('open');
  });

  it('forcing the circuit open refuses every attempt, closing it lets them go; each change is reported', async () => {
    const { g, changes } = governor();
    await g.setCircuit('forced-open', Date.now() + 20_000);
    expect(g.circuitName).toBe('forced-open');
    expect(await g.acquire({ ...request, maxWaitMs: 1_000 })).toMatchObject({
      granted: false,
      gate: 'forced-open',
      retryAfterMs: 20_000,
    });
    await g.setCircuit('closed');
    expect(await g.acquire(request)).toMatchObject({ granted: true });
    expect(changes).toEqual(['closed->forced-open', 'forced-open->closed']);
  });

  it('a governor over a disabled circuit reads disabled from the start', () => {
    expect(governor({ circuit: { enabled: false } }).g.circuitName).toBe('disabled');
    expect(governor().g.circuitName).toBe('closed');
  });

  it('release ends a pause early and wakes the waiters', async () => {
    const { g } = governor();
    await g.pause(Date.now() + 30_000, 'retry-after');
    const waiting = g.acquire({ ...request, maxWaitMs: 60_000 });
    await vi.advanceTimersByTimeAsync(100);
    await g.release();
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 100 });
  });

  it('spends local re-sends from the tool budget until none is left', async () => {
    const { g } = governor({ localResends: 2 });
    expect([await g.spendResend(), await g.spendResend(), await g.spendResend()]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('a tool never used reads as a fresh state', async () => {
    const { g } = governor({ requestsPerSecond: 5 });
    expect(await g.state()).toEqual(
      initialToolState(toolSettingsOf({ requestsPerSecond: 5 }, 60_000), Date.now()),
    );
  });

  it('paces requests through pace(), so a known budget is shared with the other workers', async () => {
    const { g } = governor();
    await g.pace('requests', { remaining: 0, resetMs: 3_000, limit: 60 });
    expect(await g.acquire({ ...request, maxWaitMs: 1_000 })).toMatchObject({
      granted: false,
      gate: 'pause',
      reason: 'rate-limit-exhausted',
      retryAfterMs: 3_000,
    });
  });
});
