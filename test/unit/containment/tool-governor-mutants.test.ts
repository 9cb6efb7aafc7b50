// Pins the governor's bookkeeping that a user only notices when it goes wrong: a waiter costs no store round-trip
// and no stray timer while its gate is shut, wake-ups come at the gate's time (the earliest one wins), a cancelled
// head lets the next go at once, a lease granted to an attempt that gave up is handed back, over a shared store the
// fleet is told of releases and waiters are re-checked on a cadence (and only then), the abort listener is removed,
// and `retry-after-ms` is read in all its plain forms. All on vitest's fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryGovernorStore, type GovernorStore } from '../../../interceptors/containment/governor-store';
import type { SharedGovernorStore } from '../../../interceptors/containment/shared-store';
import {
  ToolGovernor,
  WaitCancelledError,
  type Permit,
  type Refusal,
} from '../../../interceptors/containment/tool-governor';
import { toolSettingsOf, type ToolOptions } from '../../../interceptors/containment/tool-options';
import { releaseHold, type ToolState } from '../../../src/containment/tool-state';

const T0 = 1_000_000;
const request = { leaseTtlMs: 60_000, maxWaitMs: 10_000 };

/** The memory store, counting round-trips, with an optional delay before an update's answer arrives. */
class CountingStore implements GovernorStore {
  readonly inner = new MemoryGovernorStore();
  updates = 0;
  /** Delays (ms) for the next updates' answers, in order; the reducer itself runs at once. */
  readonly delays: number[] = [];
  /** Moves the clock by this much right after the next reducer runs (a slow round-trip). */
  clockJumpMs = 0;

  async update<R>(
    key: string,
    init: () => ToolState,
    fn: (state: ToolState) => { readonly state: ToolState; readonly result: R },
  ): Promise<R> {
    this.updates++;
    const result = this.inner.updateNow(key, init, fn);
    if (this.clockJumpMs) {
      vi.setSystemTime(Date.now() + this.clockJumpMs);
      this.clockJumpMs = 0;
    }
    const delay = this.delays.shift() ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return result;
  }
  read(key: string) {
    return this.inner.read(key);
  }
  entries() {
    return this.inner.entries();
  }
  /** Changes the state behind the governor's back (another worker did it). */
  poke(fn: (state: ToolState) => ToolState): void {
    this.inner.updateNow(
      'search',
      () => {
        throw new Error('no state');
      },
      (s) => ({ state: fn(s), result: undefined }),
    );
  }
}

class SharedStore extends CountingStore implements SharedGovernorStore {
  readonly shared = true as const;
  readonly degraded = false;
  readonly reducingLocally = false;
  readonly notify = vi.fn<(toolKey: string) => void>();
  subscribe() {
    return () => undefined;
  }
  onDegradedChange() {
    return () => undefined;
  }
  async close() {}
}

function governor(options: ToolOptions = {}, store: CountingStore = new CountingStore(), recheckMs?: number) {
  const g = new ToolGovernor(
    'search',
    toolSettingsOf(options, 60_000),
    store,
    undefined,
    undefined,
    recheckMs !== undefined ? { recheckMs } : {},
  );
  return { g, store };
}
async function settleMicrotasks() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
const freeAllSlots = (s: ToolState): ToolState => ({ ...s, leases: {} });

beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

describe('WaitCancelledError', () => {
  it('names itself and says why', () => {
    const error = new WaitCancelledError();
    expect(error.name).toBe('WaitCancelledError');
    expect(error.message).toBe('the activity was cancelled while it waited for its tool');
  });
});

describe('busy and wake', () => {
  it('is busy while a call it let go is in flight, and not after its release', async () => {
    const { g } = governor();
    const permit = (await g.acquire(request)) as Permit;
    expect(g.waiting).toBe(0);
    expect(g.busy).toBe(true);
    await permit.release('success');
    expect(g.busy).toBe(false);
  });

  it('wake() lets a waiter go when another worker freed the slot', async () => {
    const { g, store } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    const waiting = g.acquire(request);
    await settleMicrotasks();
    store.poke(freeAllSlots);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(g.waiting).toBe(1);
    g.wake();
    await settleMicrotasks();
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 1_000 });
  });
});

describe('what a waiter costs while its gate is shut', () => {
  it('a waiter on a full tool without heartbeat holds only its deadline timer and makes no round-trip', async () => {
    const { g, store } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    void g.acquire(request);
    await settleMicrotasks();
    const updates = store.updates;
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(store.updates).toBe(updates);
  });

  it('a waiter behind a pause is re-checked once, when the pause ends, not before', async () => {
    const { g, store } = governor();
    await g.pause(T0 + 500, 'retry-after');
    const waiting = g.acquire(request);
    await settleMicrotasks();
    const updates = store.updates;
    await vi.advanceTimersByTimeAsync(499);
    expect(store.updates).toBe(updates);
    expect(g.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 500 });
    expect(store.updates).toBe(updates + 1);
  });

  it('shutdown leaves no timer behind', async () => {
    const { g } = governor();
    await g.pause(T0 + 500, 'retry-after');
    const waiting = g.acquire({ ...request, heartbeat: () => undefined });
    await settleMicrotasks();
    expect(vi.getTimerCount()).toBe(3);
    g.shutdown();
    expect(await waiting).toMatchObject({ granted: false, reason: 'worker-shutdown' });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('wake-up timers: the earliest gate time wins', () => {
  it('a later gate time does not push back an earlier wake-up', async () => {
    const { g, store } = governor();
    await g.pause(T0 + 100, 'first');
    const waiting = g.acquire(request);
    await settleMicrotasks();
    // A longer pause re-checks the head (wake-up at +500), then another worker lifts every pause.
    await g.pause(T0 + 500, 'second');
    await settleMicrotasks();
    store.poke(releaseHold);
    await vi.advanceTimersByTimeAsync(100);
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 100 });
  });

  it('an earlier gate time replaces a later wake-up, and the later timer is cleared', async () => {
    const { g, store } = governor();
    await g.pause(T0 + 500, 'long');
    const waiting = g.acquire(request);
    await settleMicrotasks();
    expect(vi.getTimerCount()).toBe(2);
    // Another worker shortened the pause; this worker hears of it.
    store.poke((s) => ({ ...s, pause: { untilMs: T0 + 100, reason: 'short' } }));
    g.wake();
    await settleMicrotasks();
    expect(vi.getTimerCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 100 });
  });
});

describe('waiters leaving the queue', () => {
  it('when the head is cancelled, the attempt behind it goes at once if its own gate is open', async () => {
    const { g } = governor();
    await g.pause(T0 + 5_000, 'retry-after', 'owner-a');
    const controller = new AbortController();
    const head = g.acquire({ ...request, owner: 'owner-b', signal: controller.signal });
    await settleMicrotasks();
    // The pause's owner is not held by its own pause, but waits its turn behind the head (FIFO).
    const behind = g.acquire({ ...request, owner: 'owner-a' });
    await settleMicrotasks();
    expect(g.waiting).toBe(2);
    controller.abort();
    await expect(head).rejects.toBeInstanceOf(WaitCancelledError);
    await settleMicrotasks();
    expect(await behind).toMatchObject({ granted: true, waitedMs: 0 });
  });

  it('an attempt leaving from behind the head costs no re-check of the head', async () => {
    const { g, store } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    const head = g.acquire(request);
    await settleMicrotasks();
    const controller = new AbortController();
    const behind = g.acquire({ ...request, signal: controller.signal });
    await settleMicrotasks();
    const updates = store.updates;
    controller.abort();
    await expect(behind).rejects.toBeInstanceOf(WaitCancelledError);
    await settleMicrotasks();
    expect(store.updates).toBe(updates);
    expect(g.waiting).toBe(1);
    g.shutdown();
    expect(await head).toMatchObject({ granted: false, reason: 'worker-shutdown' });
  });

  it('a waiter behind the head that expires during a quota hold is turned back with the event wait, not the hold', async () => {
    const { g, store } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    const w1 = g.acquire(request);
    await settleMicrotasks();
    const w2 = g.acquire(request);
    const w3 = g.acquire({ ...request, maxWaitMs: 50 });
    await settleMicrotasks();
    // The hold's write and the head's admission answer at once; the next head's admission takes 100 ms.
    store.delays.push(0, 0, 100);
    await g.hold(T0 + 30_000, 'quota');
    await settleMicrotasks();
    expect(await w1).toMatchObject({ granted: false, gate: 'hold', retryAfterMs: 30_000 });
    await vi.advanceTimersByTimeAsync(50);
    expect(await w3).toEqual({
      granted: false,
      gate: 'hold',
      reason: 'quota',
      retryAfterMs: 1_000,
      waitedMs: 50,
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(await w2).toMatchObject({ granted: false, gate: 'hold' });
  });

  it('a head cancelled while its admission answers "hold" leaves no wake-up timer behind', async () => {
    const { g, store } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    const controller = new AbortController();
    const waiting = g.acquire({ ...request, signal: controller.signal });
    await settleMicrotasks();
    store.delays.push(0, 100); // the hold's write answers at once; the head's admission 100 ms later
    await g.hold(T0 + 30_000, 'quota');
    await vi.advanceTimersByTimeAsync(50);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(WaitCancelledError);
    await vi.advanceTimersByTimeAsync(50);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is busy while attempts wait, even with no call in flight here', async () => {
    const { g } = governor();
    await g.pause(T0 + 500, 'retry-after');
    const waiting = g.acquire(request);
    await settleMicrotasks();
    expect(g.busy).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    await ((await waiting) as Permit).release('success');
    expect(g.busy).toBe(false);
  });

  it('the pause owner goes at once when nobody waits; another attempt is refused with the time left', async () => {
    const { g } = governor();
    await g.pause(T0 + 60_000, 'retry-after', 'owner-a');
    expect(await g.acquire({ ...request, owner: 'owner-a' })).toMatchObject({ granted: true });
    expect(await g.acquire({ ...request, owner: 'owner-b' })).toMatchObject({
      granted: false,
      gate: 'pause',
      retryAfterMs: 60_000,
    });
  });

  it('a lease granted while the attempt was being cancelled is handed back', async () => {
    const { g, store } = governor({ maxConcurrency: 1 });
    const first = (await g.acquire(request)) as Permit;
    const controller = new AbortController();
    const waiting = g.acquire({ ...request, signal: controller.signal });
    await settleMicrotasks();
    store.delays.push(0, 100); // the release answers at once; the waiter's admission answers 100 ms later
    await first.release('success');
    await vi.advanceTimersByTimeAsync(50);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(WaitCancelledError);
    await vi.advanceTimersByTimeAsync(100);
    expect(g.busy).toBe(false);
    expect((await g.state()).leases).toEqual({});
  });

  it('a release during a re-check is not lost: the re-check runs again', async () => {
    const { g, store } = governor({ maxConcurrency: 1 });
    const first = (await g.acquire(request)) as Permit;
    const waiting = g.acquire(request);
    await settleMicrotasks();
    store.delays.push(100); // the re-check's admission (refused: the slot is held) answers 100 ms later
    g.wake();
    await settleMicrotasks();
    await first.release('success'); // meanwhile the slot frees
    await vi.advanceTimersByTimeAsync(100);
    await settleMicrotasks();
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 100 });
  });

  it('the predicted wait after a slow round-trip is what is left of the gate, at least 1 ms', async () => {
    const { g, store } = governor();
    await g.pause(T0 + 500, 'retry-after');
    store.clockJumpMs = 2_000; // the admission's answer comes back after the deadline (and the pause) passed
    expect(await g.acquire({ ...request, maxWaitMs: 1_000 })).toEqual({
      granted: false,
      gate: 'pause',
      reason: 'retry-after',
      retryAfterMs: 1,
      waitedMs: 2_000,
    });
  });
});

describe('the abort listener', () => {
  it('is added once and removed when the wait ends', async () => {
    const { g } = governor({ maxConcurrency: 1 });
    const first = (await g.acquire(request)) as Permit;
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const waiting = g.acquire({ ...request, signal: controller.signal });
    await settleMicrotasks();
    expect(add).toHaveBeenCalledWith('abort', expect.any(Function), { once: true });
    await first.release('success');
    expect(await waiting).toMatchObject({ granted: true });
    expect(remove).toHaveBeenCalledWith('abort', add.mock.calls[0]![1]);
  });
});

describe('over a shared store', () => {
  it('tells the fleet when a lease is released, and on operator changes', async () => {
    const store = new SharedStore();
    const { g } = governor({}, store);
    await ((await g.acquire(request)) as Permit).release('success');
    expect(store.notify).toHaveBeenCalledWith('search');
    store.notify.mockClear();
    await g.release();
    expect(store.notify).toHaveBeenCalledTimes(1);
    await g.setCircuit('closed');
    expect(store.notify).toHaveBeenCalledTimes(2);
    g.shutdown();
  });

  it('re-checks waiters every 250 ms by default, so a lost wake-up cannot strand them', async () => {
    const store = new SharedStore();
    const { g } = governor({ maxConcurrency: 1 }, store);
    await g.acquire(request);
    const waiting = g.acquire(request);
    await settleMicrotasks();
    await vi.advanceTimersByTimeAsync(250);
    expect(g.waiting).toBe(1);
    store.poke(freeAllSlots);
    await vi.advanceTimersByTimeAsync(249);
    expect(g.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 500 });
    // Nobody waits: the re-check stops at its next turn.
    await vi.advanceTimersByTimeAsync(250);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-checks at the configured cadence', async () => {
    const store = new SharedStore();
    const { g } = governor({ maxConcurrency: 1 }, store, 100);
    await g.acquire(request);
    const waiting = g.acquire(request);
    await settleMicrotasks();
    store.poke(freeAllSlots);
    await vi.advanceTimersByTimeAsync(99);
    expect(g.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await waiting).toMatchObject({ granted: true, waitedMs: 100 });
    g.shutdown();
  });

  it('shutdown stops the re-check', async () => {
    const store = new SharedStore();
    const { g } = governor({ maxConcurrency: 1 }, store);
    await g.acquire(request);
    void g.acquire(request);
    await settleMicrotasks();
    expect(vi.getTimerCount()).toBe(2);
    g.shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('over the in-memory store, nothing re-checks a waiter on its own', async () => {
    const { g, store } = governor({ maxConcurrency: 1 });
    await g.acquire(request);
    void g.acquire(request);
    await settleMicrotasks();
    store.poke(freeAllSlots);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(g.waiting).toBe(1);
  });
});

describe('retry-after-ms', () => {
  it('reads a bare integer, any padding, and a fraction of several digits', async () => {
    for (const [value, ms] of [
      ['1500', 1_500],
      ['  20  ', 20],
      ['\t7', 7],
      ['1500.25', 1_501],
    ] as const) {
      const { g } = governor();
      await g.observe(429, { 'retry-after-ms': value }, 60_000);
      expect((await g.state()).pause?.untilMs).toBe(T0 + ms);
    }
  });
});

// Keeps the Refusal type in use for readers of the refusal shapes above.
export type { Refusal };
