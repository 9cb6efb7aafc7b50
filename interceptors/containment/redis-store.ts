/**
 * @module temporal-resilience/interceptors/containment/redis-store
 *
 * A {@link GovernorStore} in Redis, so every worker using the same Redis and tool key shares one containment state:
 * the quota hold, the Retry-After pause, the circuit (one probe fleet-wide), the concurrency leases and the pacing
 * buckets. The logic stays the pure reducer of `src/containment/tool-state.ts`; this store only makes each update
 * atomic across processes, by optimistic concurrency: read the state and its version, apply the reducer in the
 * worker, write it back with a Lua compare-and-set on the version, and retry with the state the script returns when
 * another worker wrote first.
 *
 * The fast path costs one round trip per batch, not two per update: the store remembers the version it last wrote
 * or saw for each key and tries the compare-and-set with it directly (a stale version costs the same round trip a
 * read would have, and the script's answer carries the current state). Updates of one key that arrive while a
 * compare-and-set is out wait for it and then go together: their reducers run one after the other on the state,
 * and one compare-and-set writes the result. So one worker never contends with itself, and a busy worker writes a
 * tool's state once per round trip however many attempts it admits.
 *
 * Faults never stop work: every call has a short deadline, and when Redis does not answer the store runs on a local
 * in-memory store (degraded mode, announced once). It tries Redis again with one call (a probe) at most once per
 * `retryMs`, and only while the client is connected, so a Redis that refuses connections costs no call anything. The
 * calls that come while the probe is out wait for its answer (within its deadline) instead of deciding on local
 * state: when Redis answers, the local state is dropped, and a decision taken on it (a quota hold an operator has
 * since released, say) would be one the fleet no longer holds.
 *
 * `ioredis` is an optional peer: it is required only when a store is made from a URL. Runs in the worker (Node).
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis-client';
import { RedisDeadline } from './redis-deadline';
import { RedisSpendTally } from './redis-spend-tally';
import type { ToolState } from '../../src/containment/tool-state';
import { MemoryGovernorStore } from './governor-store';
import type { SharedGovernorStore } from './shared-store';
import { decodeToolState, encodeToolState } from './state-json';
import { StoreUnavailableError } from './store-unavailable-error';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379/0`. Ignored when `client` is given. @default 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /**
   * A connected `ioredis` client of your own (its options are yours: TLS, sentinels, ACL user). The store never quits
   * it; it duplicates it once for the wake-up subscription. Give it `enableOfflineQueue: false`, so that commands fail
   * fast while Redis is away instead of queueing past their deadline.
   */
  readonly client?: RedisClient;
  /** Prefix of every key and of the wake-up channel; give each fleet (or environment) its own. @default 'temporal-resilience:' */
  readonly keyPrefix?: string;
  /** Deadline of one store call (read, compare-and-set retries included); past it the worker goes local. @default 250 */
  readonly callTimeoutMs?: number;
  /**
   * A tool's state expires this long after its last change, so nothing stays shut forever after a crash. Longer than
   * the longest quota hold (one hour), so a hold is never cut short. @default 3_900_000 (65 minutes)
   */
  readonly ttlMs?: number;
  /** In degraded mode, Redis is tried again at most once per this long. @default 1_000 */
  readonly retryMs?: number;
  /**
   * A workflow execution's shared spend (see {@link RedisGovernorStore.spendTally}) expires this long after its last
   * recorded cost. @default 604_800_000 (7 days)
   */
  readonly spendTtlMs?: number;
  /** Compare-and-set attempts before an update gives up (heavy contention on one key). @default 64 */
  readonly maxCasAttempts?: number;
  /** Options of the local store used in degraded mode. */
  readonly local?: { readonly maxTools?: number; readonly toolIdleMs?: number };
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/**
 * A shared governor store in Redis.
 *
 * @example
 * ```ts
 * const store = redisStore({ url: process.env.REDIS_URL, keyPrefix: 'billing-llm:' });
 * const worker = await Worker.create({ ...options, plugins: [resiliencePlugin({ store, expectedWorkers: 3 })] });
 * ```
 */
export function redisStore(options: RedisStoreOptions = {}): RedisGovernorStore {
  return new RedisGovernorStore(options);
}

/**
 * Compare-and-set of one tool's state. KEYS[1]: the state hash; ARGV: expected version ('' for none), new version,
 * state JSON, TTL (ms). Returns `{1}` on success, or `{0, version, state}` (the current ones, '' when absent) so the
 * caller can retry without another round trip.
 */
const CAS_SCRIPT = `
local v = redis.call('HGET', KEYS[1], 'v') or ''
if v ~= ARGV[1] then
  return {0, v, redis.call('HGET', KEYS[1], 's') or ''}
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1}
`;

/** Marks an error thrown by the caller's reducer: it is the caller's, not a store fault. */
class ReducerFailure {
  constructor(readonly error: unknown) {}
}

/** One caller's update, waiting for its key's next compare-and-set. */
interface PendingUpdate {
  readonly init: () => ToolState;
  readonly fn: (state: ToolState) => { readonly state: ToolState; readonly result: unknown };
  resolve(result: unknown): void;
  reject(error: unknown): void;
  /** Its caller stopped waiting (deadline): it must not be applied any more. */
  abandoned: boolean;
}

/** The updates of one key waiting behind the compare-and-set in flight. */
interface KeyBatch {
  queue: PendingUpdate[];
  running: boolean;
}

/** A key's version and state JSON as this worker last wrote or read them ('' for none). */
interface SeenVersion {
  readonly version: string;
  readonly text: string;
}

/** The store behind {@link redisStore}. */
export class RedisGovernorStore implements SharedGovernorStore {
  readonly shared = true as const;
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private subscriber: RedisClient | undefined;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly callTimeoutMs: number;
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private readonly maxCasAttempts: number;
  private readonly now: () => number;
  private readonly localOptions: RedisStoreOptions['local'];
  private local: MemoryGovernorStore;
  private casSha: string | undefined;
  private isDegraded = false;
  private lastTryMs = 0;
  /** While degraded, the one call trying Redis again: the others wait for `done`. */
  private probe: { readonly done: Promise<void>; readonly end: () => void } | undefined;
  private readonly wakeListeners = new Set<(toolKey: string) => void>();
  private readonly degradedListeners = new Set<(degraded: boolean, cause?: Error) => void>();
  private closed = false;
  private localDepth = 0;
  private readonly deadline: RedisDeadline;
  private readonly spendTtlMs: number | undefined;
  private tally: RedisSpendTally | undefined;
  private readonly batches = new Map<string, KeyBatch>();
  private readonly seen = new Map<string, SeenVersion>();
  private readonly maxSeen: number;

  constructor(options: RedisStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? 'temporal-resilience:';
    this.channel = `${this.prefix}wake`;
    this.callTimeoutMs = options.callTimeoutMs ?? 250;
    this.ttlMs = options.ttlMs ?? 3_900_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.maxCasAttempts = options.maxCasAttempts ?? 64;
    this.now = options.now ?? Date.now;
    this.localOptions = options.local;
    this.spendTtlMs = options.spendTtlMs;
    this.maxSeen = options.local?.maxTools ?? 1_000;
    this.local = this.newLocal();
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      this.client = new (loadIoredis())(options.url ?? 'redis://127.0.0.1:6379', CLIENT_OPTIONS);
      this.ownsClient = true;
    }
    this.deadline = new RedisDeadline(this.client, this.callTimeoutMs);
    this.client.on('error', () => undefined); // failures are seen (and announced once) through degraded mode
    // Redis is back: the next call tries it at once instead of waiting out `retryMs`.
    this.client.on('ready', () => {
      this.lastTryMs = 0;
    });
  }

  /** True while Redis does not answer and this worker runs on local state. */
  get degraded(): boolean {
    return this.isDegraded;
  }

  async update<R>(
    toolKey: string,
    init: () => ToolState,
    fn: (state: ToolState) => { readonly state: ToolState; readonly result: R },
  ): Promise<R> {
    const route = await this.route();
    if (route !== 'local') {
      const pending: PendingUpdate = {
        init,
        fn,
        resolve: () => undefined,
        reject: () => undefined,
        abandoned: false,
      };
      try {
        const result = await this.deadline.run(() => this.enqueue(toolKey, pending));
        this.markHealthy();
        return result as R;
      } catch (error) {
        if (error instanceof ReducerFailure) {
          this.markHealthy(); // Redis answered; the caller's reducer threw
          throw error.error;
        }
        // Not applied later: this attempt goes on with local state instead.
        pending.abandoned = true;
        this.markDegraded(error);
      } finally {
        if (route === 'probe') this.endProbe();
      }
    }
    return this.local.update(
      toolKey,
      () => this.locally(init),
      (state) => this.locally(() => fn(state)),
    );
  }

  /** True while a caller's reducer runs on local state (see {@link SharedGovernorStore.reducingLocally}). */
  get reducingLocally(): boolean {
    return this.localDepth > 0;
  }

  private locally<T>(run: () => T): T {
    this.localDepth++;
    try {
      return run();
    } finally {
      this.localDepth--;
    }
  }

  async read(toolKey: string): Promise<ToolState | undefined> {
    const route = await this.route();
    if (route !== 'local') {
      try {
        const text = await this.deadline.run(() => this.client.hget(this.key(toolKey), 's'));
        this.markHealthy();
        return text ? decodeToolState(text) : undefined;
      } catch (error) {
        this.markDegraded(error);
      } finally {
        if (route === 'probe') this.endProbe();
      }
    }
    return this.local.read(toolKey);
  }

  async entries(): Promise<ReadonlyArray<readonly [string, ToolState]>> {
    // Never the probe: a listing's deadline is ten calls' (below), too long for other calls to wait on.
    const route = await this.route(false);
    if (route !== 'local') {
      try {
        // Listing scans every key: an operator's call, given ten deadlines.
        const out = await this.deadline.run(() => this.sharedEntries(), this.callTimeoutMs * 10);
        this.markHealthy();
        return out;
      } catch (error) {
        this.markDegraded(error);
      } finally {
        if (route === 'probe') this.endProbe();
      }
    }
    return this.local.entries();
  }

  notify(toolKey: string): void {
    if (this.isDegraded || this.closed || this.client.status !== 'ready') return;
    this.client.publish(this.channel, toolKey).catch(() => undefined);
  }

  subscribe(listener: (toolKey: string) => void): () => void {
    this.wakeListeners.add(listener);
    this.ensureSubscriber();
    return () => this.wakeListeners.delete(listener);
  }

  onDegradedChange(listener: (degraded: boolean, cause?: Error) => void): () => void {
    this.degradedListeners.add(listener);
    return () => this.degradedListeners.delete(listener);
  }

  /**
   * The spend of each workflow execution, in the same Redis (same connection, same key prefix), so budgets hold
   * across the fleet. `resiliencePlugin({ store })` uses it unless you pass a tally of your own; one per store.
   */
  spendTally(): RedisSpendTally {
    this.tally ??= new RedisSpendTally({
      client: this.client,
      keyPrefix: this.prefix,
      callTimeoutMs: this.callTimeoutMs,
      retryMs: this.retryMs,
      now: this.now,
      ...(this.spendTtlMs !== undefined ? { ttlMs: this.spendTtlMs } : {}),
    });
    return this.tally;
  }

  /** Resolves once Redis answers (or rejects after `timeoutMs`): for start-up checks and tests. */
  async ready(timeoutMs = 5_000): Promise<void> {
    await this.deadline.run(() => this.client.ping(), timeoutMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeListeners.clear();
    const quit = async (client: RedisClient | undefined) => {
      if (!client) return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    };
    await quit(this.subscriber);
    if (this.ownsClient) await quit(this.client);
  }

  private key(toolKey: string): string {
    return `${this.prefix}tool:${toolKey}`;
  }

  private newLocal(): MemoryGovernorStore {
    return new MemoryGovernorStore({
      ...(this.localOptions?.maxTools !== undefined ? { maxTools: this.localOptions.maxTools } : {}),
      ...(this.localOptions?.toolIdleMs !== undefined ? { toolIdleMs: this.localOptions.toolIdleMs } : {}),
    });
  }

  /** Queues an update behind its key's compare-and-set in flight, and starts one if none is. */
  private enqueue(toolKey: string, pending: PendingUpdate): Promise<unknown> {
    return new Promise((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
      let batch = this.batches.get(toolKey);
      if (!batch) {
        batch = { queue: [], running: false };
        this.batches.set(toolKey, batch);
      }
      batch.queue.push(pending);
      if (!batch.running) void this.drainKey(toolKey, batch);
    });
  }

  private async drainKey(toolKey: string, batch: KeyBatch): Promise<void> {
    batch.running = true;
    try {
      while (batch.queue.length > 0) {
        const updates = batch.queue.splice(0).filter((u) => !u.abandoned);
        if (updates.length === 0) continue;
        try {
          await this.sharedBatch(toolKey, updates);
        } catch (error) {
          for (const u of updates) u.reject(error);
        }
      }
    } finally {
      batch.running = false;
      if (batch.queue.length === 0) this.batches.delete(toolKey);
    }
  }

  /**
   * Applies `updates` in order to the key's shared state and writes the result with one compare-and-set, retried
   * with the state the script returns while another worker writes first. A reducer that throws fails its own caller
   * and leaves the state as the previous one left it.
   */
  private async sharedBatch(toolKey: string, updates: readonly PendingUpdate[]): Promise<void> {
    const key = this.key(toolKey);
    let current = this.seen.get(key);
    if (!current) {
      const [version, text] = await this.client.hmget(key, 'v', 's');
      current = { version: version ?? '', text: text ?? '' };
    }
    for (let attempt = 0; attempt < this.maxCasAttempts; attempt++) {
      let state: ToolState | undefined = current.text ? decodeToolState(current.text) : undefined;
      const outcomes = updates.map((u) => {
        try {
          const out = u.fn(state ?? u.init());
          state = out.state;
          return { ok: true as const, result: out.result };
        } catch (error) {
          return { ok: false as const, error };
        }
      });
      const settle = () =>
        outcomes.forEach((o, i) =>
          o.ok ? updates[i]!.resolve(o.result) : updates[i]!.reject(new ReducerFailure(o.error)),
        );
      if (state === undefined || outcomes.every((o) => !o.ok)) return settle(); // nothing to write
      const next = randomBytes(8).toString('hex');
      const json = encodeToolState(state);
      const reply = await this.cas(key, current.version, next, json);
      if (reply[0] === 1) {
        this.remember(key, { version: next, text: json });
        return settle();
      }
      current = { version: String(reply[1] ?? ''), text: String(reply[2] ?? '') };
      this.remember(key, current);
    }
    this.seen.delete(key);
    throw new StoreUnavailableError('contention', `tool ${toolKey}: too many concurrent updates`);
  }

  private remember(key: string, version: SeenVersion): void {
    this.seen.delete(key); // re-insert: Map order is the LRU order
    this.seen.set(key, version);
    if (this.seen.size > this.maxSeen) this.seen.delete(this.seen.keys().next().value as string);
  }

  private async cas(key: string, expected: string, next: string, json: string): Promise<unknown[]> {
    const args = [key, expected, next, json, String(this.ttlMs)];
    if (this.casSha) {
      try {
        return (await this.client.evalsha(this.casSha, 1, ...args)) as unknown[];
      } catch (error) {
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      }
    }
    this.casSha = (await this.client.script('LOAD', CAS_SCRIPT)) as string;
    return (await this.client.evalsha(this.casSha, 1, ...args)) as unknown[];
  }

  private async sharedEntries(): Promise<Array<readonly [string, ToolState]>> {
    const out: Array<readonly [string, ToolState]> = [];
    const toolPrefix = `${this.prefix}tool:`;
    let cursor = '0';
    do {
      const [nextCursor, keys] = await this.client.scan(
        cursor,
        'MATCH',
        `${escapeGlob(toolPrefix)}*`,
        'COUNT',
        500,
      );
      cursor = nextCursor;
      if (keys.length === 0) continue;
      const pipeline = this.client.pipeline();
      for (const key of keys) pipeline.hget(key, 's');
      const replies = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => {
        const text = replies[i]?.[1];
        if (typeof text === 'string' && text) out.push([key.slice(toolPrefix.length), decodeToolState(text)]);
      });
    } while (cursor !== '0');
    return out.sort(([a], [b]) => a.localeCompare(b));
  }

  /**
   * Where a call goes: `shared` (Redis answers), `probe` (degraded, and this call tries Redis again: the caller must
   * `endProbe()` once it has its answer), or `local`. A call made while a probe is out waits for the probe's answer
   * (which comes within the probe's deadline) and then goes where it says, so no call decides on local state that
   * the probe's success is about to drop. While the client is not connected there is no probe: a Redis that refuses
   * connections is not waited on, and the client's `ready` lets the next call probe at once.
   */
  private async route(mayProbe = true): Promise<'shared' | 'probe' | 'local'> {
    if (this.closed) return 'local';
    if (!this.isDegraded) return 'shared';
    if (this.probe) {
      await this.probe.done;
      return this.isDegraded || this.closed ? 'local' : 'shared';
    }
    const now = this.now();
    if (!mayProbe || this.client.status !== 'ready' || now - this.lastTryMs < this.retryMs) return 'local';
    this.lastTryMs = now;
    let end!: () => void;
    const done = new Promise<void>((resolve) => (end = resolve));
    this.probe = { done, end };
    return 'probe';
  }

  /** The probe has its answer (healthy or degraded again): the calls waiting for it go on. */
  private endProbe(): void {
    const probe = this.probe;
    this.probe = undefined;
    probe?.end();
  }

  private markDegraded(error: unknown): void {
    this.lastTryMs = this.now();
    if (this.isDegraded) return;
    this.isDegraded = true;
    const cause =
      error instanceof Error ? error : new StoreUnavailableError('error', String(error), { cause: error });
    for (const listener of this.degradedListeners) safely(() => listener(true, cause));
  }

  private markHealthy(): void {
    if (!this.isDegraded) return;
    this.isDegraded = false;
    // Redis may have restarted: what this worker saw of it before is no guide.
    this.seen.clear();
    // The local state was this worker's alone: drop it; leases it still holds settle harmlessly in Redis.
    this.local = this.newLocal();
    for (const listener of this.degradedListeners) safely(() => listener(false));
  }

  private ensureSubscriber(): void {
    if (this.subscriber || this.closed) return;
    const subscriber = this.client.duplicate({ enableOfflineQueue: true });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, toolKey: string) => {
      for (const listener of this.wakeListeners) safely(() => listener(toolKey));
    });
    // ioredis subscribes again by itself after a reconnect.
    subscriber.subscribe(this.channel).catch(() => undefined);
    this.subscriber = subscriber;
  }
}

/** Fail fast while Redis is away (the deadline and degraded mode handle it), reconnect in the background. */
const CLIENT_OPTIONS = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 1_000,
  retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
};

type RedisConstructor = new (url: string, options: typeof CLIENT_OPTIONS) => RedisClient;

function loadIoredis(): RedisConstructor {
  try {
    // A plain require, on purpose: apps that do not share state across workers need not install ioredis.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('ioredis') as { default?: RedisConstructor; Redis?: RedisConstructor };
    const ctor = module.Redis ?? module.default;
    if (!ctor) throw new Error('ioredis exports no Redis class');
    return ctor;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND') {
      throw new Error(
        'temporal-resilience: redisStore({ url }) needs the ioredis package; install it (npm i ioredis@5) ' +
          'or pass your own client as redisStore({ client })',
        { cause: error },
      );
    }
    throw error;
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A listener's failure must not break containment.
  }
}
