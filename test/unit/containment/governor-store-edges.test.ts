import { describe, expect, it } from 'vitest';
import { MemoryGovernorStore } from '../../../interceptors/containment/governor-store';
import { toolSettingsOf } from '../../../interceptors/containment/tool-options';
import { initialToolState, pauseUntil, type ToolState } from '../../../src/containment/tool-state';

// The in-memory store's bounds with an injected clock (governor-store.test.ts covers the main cases): "least
// recently used" means used, a reducer that throws changes nothing, and when an idle state is forgotten.

const settings = toolSettingsOf({}, 60_000);
const fresh = () => initialToolState(settings, 0);
const touch = (store: MemoryGovernorStore, key: string, fn: (s: ToolState) => ToolState = (s) => s) =>
  store.updateNow(key, fresh, (s) => ({ state: fn(s), result: undefined }));

describe('MemoryGovernorStore bounds', () => {
  it('drops the state used least recently, not the one created first', () => {
    let now = 0;
    const store = new MemoryGovernorStore({ maxTools: 2, now: () => now });
    for (const key of ['a', 'b', 'a', 'c']) {
      now++;
      touch(store, key);
    }
    expect(['a', 'b', 'c'].filter((k) => store.has(k))).toEqual(['a', 'c']);
  });

  it('keeps exactly maxTools states', () => {
    const store = new MemoryGovernorStore({ maxTools: 3 });
    for (const key of ['a', 'b', 'c']) touch(store, key);
    expect(store.size).toBe(3);
    touch(store, 'd');
    expect(store.size).toBe(3);
  });

  it('forgets a state at rest once it has been idle for toolIdleMs, not a moment before', () => {
    for (const [idleFor, kept] of [
      [999, true],
      [1_000, false],
    ] as const) {
      let now = 0;
      const store = new MemoryGovernorStore({ toolIdleMs: 1_000, now: () => now });
      touch(store, 'idle');
      now = idleFor;
      touch(store, 'other');
      expect(store.has('idle')).toBe(kept);
    }
  });

  it('a paused state is not at rest until its pause ends', () => {
    let now = 0;
    const store = new MemoryGovernorStore({ toolIdleMs: 1_000, now: () => now });
    touch(store, 'paused', (s) => pauseUntil(s, 5_000, 'retry-after'));
    now = 2_000;
    touch(store, 'other');
    expect(store.has('paused')).toBe(true);
    now = 5_000;
    touch(store, 'other');
    expect(store.has('paused')).toBe(false);
  });

  it('sweeps for idle states at most once per tenth of toolIdleMs', () => {
    let now = 0;
    const store = new MemoryGovernorStore({ toolIdleMs: 1_000, now: () => now });
    touch(store, 'first');
    now = 150;
    touch(store, 'idle'); // sweeps (nothing idle yet)
    now = 1_099;
    touch(store, 'other'); // sweeps: 'first' idle for 1 099 ms, 'idle' for 949 ms
    expect([store.has('first'), store.has('idle')]).toEqual([false, true]);
    now = 1_160;
    touch(store, 'other'); // 61 ms after the last sweep: none, though 'idle' is idle by now
    expect(store.has('idle')).toBe(true);
    now = 1_199;
    touch(store, 'other');
    expect(store.has('idle')).toBe(false);
  });
});

describe('MemoryGovernorStore updates', () => {
  it('a reducer that throws rejects the update and leaves the state as it was', async () => {
    const store = new MemoryGovernorStore();
    await store.update('t', fresh, (s) => ({ state: { ...s, resendBudget: 4 }, result: undefined }));
    await expect(
      store.update('t', fresh, () => {
        throw new Error('bug in a reducer');
      }),
    ).rejects.toThrow('bug in a reducer');
    await expect(
      store.update('t', fresh, () => {
        throw 'text';
      }),
    ).rejects.toThrow('text');
    expect((await store.read('t'))?.resendBudget).toBe(4);
  });

  it('lists every kept state', async () => {
    const store = new MemoryGovernorStore();
    touch(store, 'a', (s) => ({ ...s, resendBudget: 1 }));
    touch(store, 'b', (s) => ({ ...s, resendBudget: 2 }));
    expect((await store.entries()).map(([k, s]) => [k, s.resendBudget])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});
