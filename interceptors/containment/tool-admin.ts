/**
 * @module temporal-resilience/interceptors/containment/tool-admin
 *
 * Operator calls on a governor store, without a worker: list every tool's containment, and release a tool's quota
 * hold and pause early (when the provider's quota came back sooner than it said). Over a shared store they act on the
 * whole fleet, and the release wakes every worker's waiters. Used by `temporal-resilience tools`. Runs in Node.
 */
import { releaseHold } from '../../src/containment/tool-state';
import type { GovernorStore } from './governor-store';
import { statusOf, type ToolStatus } from './governor-registry';
import { isSharedGovernorStore } from './shared-store';

/** Every tool's containment in `store` (tenant-scoped keys in full); `waiting` is 0: waiters live in workers. */
export async function listToolStates(
  store: GovernorStore,
  nowMs: number = Date.now(),
): Promise<Record<string, ToolStatus>> {
  const out: Record<string, ToolStatus> = {};
  for (const [key, state] of await store.entries()) out[key] = statusOf(state, 0, nowMs);
  return out;
}

/**
 * Ends `toolKey`'s quota hold and pause now, fleet-wide over a shared store. Resolves false when the store has no
 * state for that key (nothing to release; check the key with {@link listToolStates}).
 */
export async function releaseTool(store: GovernorStore, toolKey: string): Promise<boolean> {
  const existing = await store.read(toolKey);
  if (!existing) return false;
  await store.update(
    toolKey,
    () => existing,
    (state) => ({ state: releaseHold(state), result: undefined }),
  );
  if (isSharedGovernorStore(store)) store.notify(toolKey);
  return true;
}
