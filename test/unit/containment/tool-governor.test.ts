import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryGovernorStore } from '../../../interceptors/containment/governor-store';
import {
  ToolGovernor,
  WaitCancelledError,
  type Permit,
  type Refusal,
} from '../../../interceptors/containment/tool-governor';
import { toolSettingsOf, type ToolOptions } from '../../../interceptors/containment/tool-options';

function governor(options: ToolOptions, maxQueue?: number) {
  const changes: string[] = [];
  const g = new ToolGovernor(
    'search',
    toolSettingsOf(options, 60_000),
    new MemoryGovernorStore(),
    (c) => changes.push(`${c.from}->${c.to}`),
    maxQueue,
  );
  return { g, changes };
}
const request = { leaseTtlMs: 60_000, maxWaitMs: 10_000 };

/** Lets promise callbacks run (the in-memory store resolves at once) without moving the fake clock. */
async function settleMicrotasks() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe('ToolGovernor', () => {
  it('hands freed slots to waiters in FIFO order', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    const first = (await g.acquire(request)) as Permit;
    const order: string[] = [];
    const b = g.acquire(request).then((p) => (order.push('b'), p as Permit));
    const c = g.acquire(request).then((p) => (order.push('c'), p as Permit));
    await settleMicrotasks();
    expect(g.waiting).toBe(2);
    await first.release('success');
    const pb = await b;
    await settleMicrotasks();
    expect(order).toEqual(['b']);
    await pb.release('success');
    await (await c).release('success');
    expect(order).toEqual(['b', 'c']);
  });

  it('turns a waiter back to the server once its wait passes the bound, with a predicted delay', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    const waiting = g.acquire({ ...request, maxWaitMs: 2_000 });
    await vi.advanceTimersByTimeAsync(2_000);
    const refusal = (await waiting) as Refusal;
    expect(refusal).toMatchObject({
      granted: false,
      gate: 'concurrency',
      reason: 'concurrency-limit',
      retryAfterMs: 1_000,
      waitedMs: 2_000,
    });
  });

  it('refuses at once, with the time left, when the wait is known to be longer than the bound', async () => {
    const { g } = governor({});
    await g.pause(Date.now() + 5_000, 'retry-after');
    expect(await g.acquire({ ...request, maxWaitMs: 1_000 })).toMatchObject({
      granted: false,
      gate: 'pause',
      retryAfterMs: 5_000,
      waitedMs: 0,
    });
  });

  it('keeps attempts waiting through an open circuit and releases them all when the probe succeeds', async () => {
    const { g, changes } = governor({ maxConcurrency: 10, circuit: { volumeThreshold: 2 } });
    for (let i = 0; i < 2; i++) await ((await g.acquire(request)) as Permit).release('failure');
    expect(changes).toEqual(['closed->open']);
    const waiters = Array.from({ length: 5 }, () => g.acquire(request));
    await settleMicrotasks();
    expect(g.waiting).toBe(5);
    // At the probe time the head goes as the probe; the rest wait for its answer, not for a timer.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(g.waiting).toBe(4);
    const probe = (await waiters[0]) as Permit;
    expect(probe.probe).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(g.waiting).toBe(4);
    await probe.release('success');
    await settleMicrotasks();
    expect(g.waiting).toBe(0);
    for (const w of waiters.slice(1)) expect(await w).toMatchObject({ granted: true, probe: false });
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('reopens for longer after a failed probe, and waiters past their bound come back at the next probe time', async () => {
    const { g } = governor({ maxConcurrency: 10, circuit: { volumeThreshold: 2, constantProbes: 0 } });
    for (let i = 0; i < 2; i++) await ((await g.acquire(request)) as Permit).release('failure');
    const probeWaiter = g.acquire(request);
    const other = g.acquire({ ...request, maxWaitMs: 1_200 });
    await vi.advanceTimersByTimeAsync(1_000);
    await ((await probeWaiter) as Permit).release('failure');
    await settleMicrotasks();
    // Open again, for 1.5 s: the next probe is 1.5 s away, past the other waiter's bound.
    expect(await other).toMatchObject({ granted: false, gate: 'open', retryAfterMs: 1_500 });
  });

  it('re-checks every gate after waking: a quota hold set while waiting fails the waiter as STOP', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    const first = (await g.acquire(request)) as Permit;
    const waiting = g.acquire(request);
    await settleMicrotasks();
    await g.hold(Date.now() + 60_000, 'insufficient_quota');
    await first.release('success');
    expect(await waiting).toMatchObject({
      granted: false,
      gate: 'hold',
      reason: 'insufficient_quota',
      retryAfterMs: 60_000,
    });
  });

  it('bounds the queue', async () => {
    const { g } = governor({ maxConcurrency: 1 }, 2);
    await g.acquire(request);
    void g.acquire(request);
    void g.acquire(request);
    await settleMicrotasks();
    expect(await g.acquire(request)).toMatchObject({ granted: false, reason: 'queue-full' });
  });

  it('ends a wait when the activity is cancelled', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    const controller = new AbortController();
    const waiting = g.acquire({ ...request, signal: controller.signal });
    await settleMicrotasks();
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(WaitCancelledError);
    expect(g.waiting).toBe(0);
  });

  it('heartbeats while an attempt waits', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    const heartbeat = vi.fn();
    void g.acquire({ ...request, heartbeat });
    await vi.advanceTimersByTimeAsync(3_500);
    expect(heartbeat).toHaveBeenCalledTimes(3);
  });

  it('learns a pause and a hold from a provider answer', async () => {
    const { g } = governor({});
    await g.observe(429, { 'retry-after': '3' }, 60_000, 'wf/run/1');
    expect((await g.state()).pause).toEqual({
      untilMs: Date.now() + 3_000,
      reason: 'retry-after',
      owner: 'wf/run/1',
    });
    await g.observe(429, { 'retry-after-ms': '1500' }, 60_000);
    expect((await g.state()).pause?.untilMs).toBe(Date.now() + 3_000);
    await g.observe(429, { 'retry-after': '10800' }, 60_000);
    expect((await g.state()).hold).toEqual({ untilMs: Date.now() + 60_000, reason: 'retry-after-long' });
  });
});
