import { atRest, type ToolState } from '../../src/containment/tool-state';

/**
 * Where tools' containment states live. Every change goes through {@link GovernorStore.update}, which must be atomic
 * per tool key (read, apply the pure reducer, write), so that the same logic works in one worker (in memory) and
 * across a fleet (a shared store with compare-and-set).
 */
export interface GovernorStore {
  /**
   * Reads the state of `toolKey` (or `init()` when there is none), applies `fn`, stores the state it returns and
   * resolves with its `result`. Atomic per key.
   */
  update<R>(
    toolKey: string,
    init: () => ToolState,
    fn: (state: ToolState) => { readonly state: ToolState; readonly result: R },
  ): Promise<R>;
  /** The stored state of `toolKey`, if any. */
  read(toolKey: string): Promise<ToolState | undefined>;
  /** Every stored tool key and state (for `toolStates()` and health endpoints). */
  entries(): Promise<ReadonlyArray<readonly [string, ToolState]>>;
}

/** Options of {@link MemoryGovernorStore}. */
export interface MemoryGovernorStoreOptions {
  /** Most states kept; least recently used states at rest go first. States in use are never dropped. @default 1_000 */
  readonly maxTools?: number;
  /** A state at rest and unused this long is dropped. @default 600_000 */
  readonly toolIdleMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/**
 * The default store: a map in this worker's memory, bounded so that per-user tool keys cannot grow memory without
 * limit. Only states at rest (no lease, hold, pause or open circuit) are dropped, so a tool key in use always maps to
 * one shared state; past `maxTools` states in use, the map grows rather than split a tool in two.
 */
export class MemoryGovernorStore implements GovernorStore {
  private readonly states = new Map<string, { state: ToolState; usedAtMs: number }>();
  private readonly maxTools: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private lastSweepMs = 0;

  constructor(options: MemoryGovernorStoreOptions = {}) {
    this.maxTools = options.maxTools ?? 1_000;
    this.idleMs = options.toolIdleMs ?? 600_000;
    this.now = options.now ?? Date.now;
  }

  update<R>(
    toolKey: string,
    init: () => ToolState,
    fn: (state: ToolState) => { readonly state: ToolState; readonly result: R },
  ): Promise<R> {
    try {
      return Promise.resolve(this.updateNow(toolKey, init, fn));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The same as {@link update}, synchronously: the in-memory store needs no await. */
  updateNow<R>(
    toolKey: string,
    init: () => ToolState,
    fn: (state: ToolState) => { readonly state: ToolState; readonly result: R },
  ): R {
    const now = this.now();
    const existing = this.states.get(toolKey);
    const { state, result } = fn(existing?.state ?? init());
    if (existing) {
      this.states.delete(toolKey); // re-insert: Map order is the LRU order
      this.states.set(toolKey, { state, usedAtMs: now });
    } else {
      this.states.set(toolKey, { state, usedAtMs: now });
      this.evictOverflow(now);
    }
    this.sweepIdle(now);
    return result;
  }

  read(toolKey: string): Promise<ToolState | undefined> {
    return Promise.resolve(this.states.get(toolKey)?.state);
  }

  entries(): Promise<ReadonlyArray<readonly [string, ToolState]>> {
    return Promise.resolve([...this.states].map(([key, entry]) => [key, entry.state] as const));
  }

  /** Whether a state is kept for `toolKey` now. */
  has(toolKey: string): boolean {
    return this.states.has(toolKey);
  }

  /** How many tool states are kept now. */
  get size(): number {
    return this.states.size;
  }

  private sweepIdle(now: number): void {
    // A full pass at most once per tenth of the idle time keeps updates O(1) amortised.
    if (now - this.lastSweepMs < this.idleMs / 10) return;
    this.lastSweepMs = now;
    for (const [key, entry] of this.states) {
      if (now - entry.usedAtMs >= this.idleMs && atRest(entry.state, now)) this.states.delete(key);
    }
  }

  private evictOverflow(now: number): void {
    if (this.states.size <= this.maxTools) return;
    for (const [key, entry] of this.states) {
      if (this.states.size <= this.maxTools) return;
      if (atRest(entry.state, now)) this.states.delete(key);
    }
  }
}
