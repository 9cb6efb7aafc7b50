/** Options of {@link BoundedRegistry}. */
export interface BoundedRegistryOptions<V> {
  /** Most entries kept; the least recently used idle one goes first. */
  readonly maxEntries: number;
  /** Entries unused this long are dropped. */
  readonly idleMs: number;
  /** Entries that must not be dropped now (e.g. with requests in flight). @default never busy */
  readonly isBusy?: (value: V) => boolean;
  /** Called with each entry dropped (idle or over the bound), e.g. to stop its timers. */
  readonly onEvict?: (value: V) => void;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/**
 * A per-key map of worker-wide state (one limiter or breaker per tool) that cannot grow without limit when tool keys
 * are derived from user ids or hosts: least recently used and idle entries are evicted.
 */
export class BoundedRegistry<V> {
  private readonly entries = new Map<string, { value: V; lastUsedMs: number }>();
  private lastSweepMs = 0;

  constructor(private readonly options: BoundedRegistryOptions<V>) {}

  /** The entry for `key`, created on first use. Marks it recently used. */
  get(key: string, create: (key: string) => V): V {
    const now = (this.options.now ?? Date.now)();
    this.sweepIdle(now);
    const existing = this.entries.get(key);
    if (existing) {
      this.entries.delete(key); // re-insert: Map order is our LRU order
      existing.lastUsedMs = now;
      this.entries.set(key, existing);
      return existing.value;
    }
    const value = create(key);
    this.entries.set(key, { value, lastUsedMs: now });
    this.evictOverflow();
    return value;
  }

  /** The entry for `key` if present, without creating or touching it. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** Every key and value, oldest use first. */
  *[Symbol.iterator](): IterableIterator<[string, V]> {
    for (const [key, entry] of this.entries) yield [key, entry.value];
  }

  private sweepIdle(now: number): void {
    // A full pass at most once per tenth of the idle time keeps `get` O(1) amortised.
    if (now - this.lastSweepMs < this.options.idleMs / 10) return;
    this.lastSweepMs = now;
    for (const [key, entry] of this.entries) {
      if (now - entry.lastUsedMs >= this.options.idleMs && !this.busy(entry.value))
        this.evict(key, entry.value);
    }
  }

  private evictOverflow(): void {
    if (this.entries.size <= this.options.maxEntries) return;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries) return;
      if (!this.busy(entry.value)) this.evict(key, entry.value);
    }
  }

  private evict(key: string, value: V): void {
    this.entries.delete(key);
    this.options.onEvict?.(value);
  }

  private busy(value: V): boolean {
    return this.options.isBusy?.(value) ?? false;
  }
}
