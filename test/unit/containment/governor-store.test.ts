import { describe, expect, it } from 'vitest';
import { GovernorRegistry } from '../../../interceptors/containment/governor-registry';
import { MemoryGovernorStore } from '../../../interceptors/containment/governor-store';
import type { Permit } from '../../../interceptors/containment/tool-governor';
import { toolSettingsOf } from '../../../interceptors/containment/tool-options';
import { holdUntil, initialToolState, type ToolState } from '../../../src/containment/tool-state';

const settings = toolSettingsOf({}, 60_000);
const fresh = () => initialToolState(settings, 0);
const touch = (store: MemoryGovernorStore, key: string, fn: (s: ToolState) => ToolState = (s) => s) =>
  store.updateNow(key, fresh, (s) => ({ state: fn(s), result: undefined }));

describe('MemoryGovernorStore', () => {
  it('keeps at most maxTools states at rest, dropping the least recently used', () => {
    let now = 0;
    const store = new MemoryGovernorStore({ maxTools: 10, now: () => now });
    for (let i = 0; i < 201; i++) {
      now++;
      touch(store, `user-${i}`);
    }
    expect(store.size).toBe(10);
  });

  it('never drops a state in use: past maxTools it grows rather than split a tool in two', async () => {
    let now = 0;
    const store = new MemoryGovernorStore({ maxTools: 10, now: () => now });
    // Twenty tools held shut (a quota hold is not at rest), then 200 more keys.
    for (let i = 0; i < 20; i++)
      touch(store, `held-${i}`, (s) => holdUntil(s, 3_600_000, 'quota', settings, 0));
    for (let i = 0; i < 200; i++) {
      now++;
      touch(store, `user-${i}`);
    }
    expect(store.size).toBe(20);
    // Each held tool is still one shared state, with its hold.
    for (let i = 0; i < 20; i++) expect((await store.read(`held-${i}`))?.hold?.reason).toBe('quota');
  });

  it('forgets idle states at rest, keeps idle ones that are held', () => {
    let now = 0;
    const store = new MemoryGovernorStore({ maxTools: 100, toolIdleMs: 1_000, now: () => now });
    touch(store, 'idle');
    touch(store, 'held', (s) => holdUntil(s, 1_000_000, 'quota', settings, 0));
    now = 5_000;
    touch(store, 'other');
    expect(['idle', 'held', 'other'].filter((k) => store.has(k))).toEqual(['held', 'other']);
  });
});

describe('GovernorRegistry', () => {
  it('maps a tool key to one governor while in use, whatever the number of keys', async () => {
    const registry = new GovernorRegistry({ maxTools: 10, quotaHoldMs: 60_000 });
    const busy = registry.governorFor('x');
    const permit = (await busy.acquire({ leaseTtlMs: 60_000, maxWaitMs: 0 })) as Permit;
    for (let i = 0; i < 201; i++) registry.governorFor(`user-${i}`);
    expect(registry.governorFor('x')).toBe(busy);
    expect((await registry.toolStates()).x?.inFlight).toBe(1);
    await permit.release('success');
  });

  it('shows a quota hold in toolStates and lets an operator release it early', async () => {
    const registry = new GovernorRegistry({ quotaHoldMs: 60_000 });
    await registry.governorFor('search').hold(Date.now() + 10_800_000, 'insufficient_quota');
    const held = (await registry.toolStates()).search!;
    // A Retry-After of 3 hours holds for at most quotaHoldMs.
    expect(held.holdReason).toBe('insufficient_quota');
    expect(held.heldUntilMs! - Date.now()).toBeLessThanOrEqual(60_000);
    await registry.release('search');
    expect((await registry.toolStates()).search?.heldUntilMs).toBeUndefined();
    expect(await registry.governorFor('search').acquire({ leaseTtlMs: 1_000, maxWaitMs: 0 })).toMatchObject({
      granted: true,
    });
  });
});
