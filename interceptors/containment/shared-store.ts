import type { SpendTally } from '../spend-tally';
import type { GovernorStore } from './governor-store';

/**
 * What a store shared by several workers adds to {@link GovernorStore}: it may fall back to local state (degraded)
 * while the shared backend is unreachable, and it carries wake-ups between workers (a lease released in one worker
 * lets a waiter in another go). Optional capabilities, so `GovernorStore` itself and the in-memory store stay as they
 * are; the governor and the registry test for them with {@link isSharedGovernorStore}.
 */
export interface SharedGovernorStore extends GovernorStore {
  /** Brand: this store is shared by several workers. */
  readonly shared: true;
  /** True while the shared backend does not answer and this worker runs on local state. */
  readonly degraded: boolean;
  /**
   * True only while the store runs a caller's `init` or reducer on local state (degraded): the governor then applies
   * the worker's share of the limits. A reducer run against the shared state sees false, even in degraded mode (the
   * call that finds the backend again must not write local limits into the shared state).
   */
  readonly reducingLocally: boolean;
  /** Tells the other workers that `toolKey` changed in a way that may let their waiters go. Never throws. */
  notify(toolKey: string): void;
  /** Calls `listener` with the tool key of each change another worker announced; returns the unsubscribe. */
  subscribe(listener: (toolKey: string) => void): () => void;
  /** Calls `listener` when the store enters (true) or leaves (false) degraded mode; returns the unsubscribe. */
  onDegradedChange(listener: (degraded: boolean, cause?: Error) => void): () => void;
  /**
   * A spend tally in the same shared backend, so budgets hold across the workers sharing the store; the plugin uses
   * it by default. Optional: a shared store without it leaves each worker its in-memory tally.
   */
  spendTally?(): SpendTally;
  /** Closes the store's own connections. */
  close(): Promise<void>;
}

/** Whether `store` is shared by several workers (has degraded mode and wake-ups). */
export function isSharedGovernorStore(store: GovernorStore | undefined): store is SharedGovernorStore {
  return (store as Partial<SharedGovernorStore> | undefined)?.shared === true;
}
