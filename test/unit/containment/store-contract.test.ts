// One contract, every store: the in-memory store and the Redis store (on a real redis-server) must behave the same
// through the GovernorStore interface, so the governor's logic does not depend on where the state lives.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryGovernorStore, type GovernorStore } from '../../../interceptors/containment/governor-store';
import { type RedisGovernorStore, redisStore } from '../../../interceptors/containment/redis-store';
import { toolSettingsOf } from '../../../interceptors/containment/tool-options';
import { admit, initialToolState, settle, type ToolState } from '../../../src/containment/tool-state';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';

const NOW = 1_700_000_000_000;
const unlimited = toolSettingsOf({}, 60_000);
const capped = toolSettingsOf({ maxConcurrency: 3, initialConcurrency: 3 }, 60_000);
const fresh = () => initialToolState(unlimited, NOW);

let redis: RedisServer;
const opened: RedisGovernorStore[] = [];
let prefixes = 0;
const clients: Redis[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

/** A Redis store on its own key prefix, so tests do not see each other's keys. */
function newRedisStore(prefix = `contract-${process.pid}-${++prefixes}:`): RedisGovernorStore {
  // A generous deadline: the machine is shared, and a timeout here would silently test the local fallback.
  const store = redisStore({ url: redis.url, keyPrefix: prefix, callTimeoutMs: 5_000 });
  opened.push(store);
  return store;
}

const stores: ReadonlyArray<readonly [string, () => GovernorStore]> = [
  ['MemoryGovernorStore', () => new MemoryGovernorStore()],
  ['RedisGovernorStore', () => newRedisStore()],
  [
    'RedisGovernorStore on your own ioredis client',
    () => {
      const client = new Redis(redis.url, { enableOfflineQueue: false });
      const store = redisStore({
        client,
        keyPrefix: `own-${process.pid}-${++prefixes}:`,
        callTimeoutMs: 5_000,
      });
      opened.push(store);
      clients.push(client);
      return store;
    },
  ],
];

describe.each(stores)('GovernorStore contract: %s', (_name, make) => {
  it('starts a key from init, stores what the reducer returns and resolves with its result', async () => {
    const store = make();
    expect(await store.read('search')).toBeUndefined();
    const result = await store.update('search', fresh, (state) => ({
      state: { ...state, resendBudget: state.resendBudget - 1 },
      result: `was ${state.resendBudget}`,
    }));
    expect(result).toBe(`was ${fresh().resendBudget}`);
    expect((await store.read('search'))?.resendBudget).toBe(fresh().resendBudget - 1);
  });

  it('keeps a state unchanged through a round trip, Infinity and nested fields included', async () => {
    const store = make();
    let written: ToolState | undefined;
    await store.update('llm', fresh, (state) => {
      const { state: next } = admit(state, { nowMs: NOW, leaseId: 'a', leaseTtlMs: 60_000 }, unlimited);
      written = {
        ...next,
        limit: { ...next.limit, value: Infinity, ceiling: -Infinity },
        pause: { untilMs: NOW + 5_000, reason: 'retry-after', owner: 'act-1' },
      };
      return { state: written, result: undefined };
    });
    const read = await store.read('llm');
    expect(read).toEqual(written);
    expect(read!.limit.value).toBe(Infinity);
    expect(read!.limit.ceiling).toBe(-Infinity);
    expect(Object.keys(read!.leases)).toEqual(['a']);
  });

  it('lists every stored key with its state', async () => {
    const store = make();
    for (const key of ['a', 'b', 'c'])
      await store.update(key, fresh, (s) => ({ state: s, result: undefined }));
    const entries = await store.entries();
    expect(entries.map(([k]) => k).sort()).toEqual(['a', 'b', 'c']);
    expect(entries.every(([, s]) => s.resendBudget === fresh().resendBudget)).toBe(true);
  });

  it("passes a reducer's error to the caller and leaves the state as it was", async () => {
    const store = make();
    await store.update('t', fresh, (s) => ({ state: { ...s, resendBudget: 5 }, result: undefined }));
    await expect(
      store.update('t', fresh, () => {
        throw new Error('reducer broke');
      }),
    ).rejects.toThrow('reducer broke');
    expect((await store.read('t'))?.resendBudget).toBe(5);
  });

  it('applies concurrent updates of one key one after the other (none is lost)', async () => {
    const store = make();
    await store.update('n', fresh, (s) => ({ state: { ...s, resendBudget: 0 }, result: undefined }));
    await Promise.all(
      Array.from({ length: 50 }, () =>
        store.update('n', fresh, (s) => ({
          state: { ...s, resendBudget: s.resendBudget + 1 },
          result: undefined,
        })),
      ),
    );
    expect((await store.read('n'))?.resendBudget).toBe(50);
  });

  it('admits exactly the concurrency limit among concurrent attempts, and frees slots on settle', async () => {
    const store = make();
    const init = () => initialToolState(capped, NOW);
    const verdicts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.update('capped', init, (s) => {
          const r = admit(s, { nowMs: NOW, leaseId: `l${i}`, leaseTtlMs: 60_000 }, capped);
          return { state: r.state, result: r.verdict.go ? `l${i}` : undefined };
        }),
      ),
    );
    const granted = verdicts.filter((v): v is string => v !== undefined);
    expect(granted).toHaveLength(3);
    await store.update('capped', init, (s) => ({
      state: settle(
        s,
        { nowMs: NOW, leaseId: granted[0]!, outcome: 'success', probe: false, holdProbe: false, epoch: 0 },
        capped,
      ),
      result: undefined,
    }));
    expect(Object.keys((await store.read('capped'))!.leases).sort()).toEqual(granted.slice(1).sort());
  });
});

describe('RedisGovernorStore round trips', () => {
  /** A store on its own client whose commands are counted. */
  function counted(prefix: string) {
    const client = new Redis(redis.url, { enableOfflineQueue: false });
    clients.push(client);
    const calls = { hmget: 0, evalsha: 0 };
    const hmget = client.hmget.bind(client) as (...args: unknown[]) => Promise<unknown>;
    const evalsha = client.evalsha.bind(client) as (...args: unknown[]) => Promise<unknown>;
    Object.assign(client, {
      hmget: (...args: unknown[]) => (calls.hmget++, hmget(...args)),
      evalsha: (...args: unknown[]) => (calls.evalsha++, evalsha(...args)),
    });
    const store = redisStore({ client, keyPrefix: prefix, callTimeoutMs: 5_000 });
    opened.push(store);
    return { store, calls };
  }

  it('one compare-and-set per update in the fast path, no read before it once the key is known', async () => {
    const { store, calls } = counted(`rt-${process.pid}-${++prefixes}:`);
    for (let i = 0; i < 10; i++)
      await store.update('k', fresh, (s) => ({ state: { ...s, resendBudget: i }, result: undefined }));
    expect(calls.hmget).toBe(1); // the first update only: later ones use the version it wrote
    expect(calls.evalsha).toBe(10);
    expect((await store.read('k'))?.resendBudget).toBe(9);
  });

  it('concurrent updates of one key in one worker go together: far fewer compare-and-sets than updates', async () => {
    const { store, calls } = counted(`batch-${process.pid}-${++prefixes}:`);
    await store.update('n', fresh, (s) => ({ state: { ...s, resendBudget: 0 }, result: undefined }));
    const before = calls.evalsha;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        store.update('n', fresh, (s) => ({
          state: { ...s, resendBudget: s.resendBudget + 1 },
          result: s.resendBudget + 1,
        })),
      ),
    );
    // Each caller gets its own reducer's result, in order, and every update is applied once.
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await store.read('n'))?.resendBudget).toBe(50);
    expect(calls.evalsha - before).toBeLessThanOrEqual(3);
  });

  it("a reducer that throws in a batch fails its own caller only, and the others' updates are written", async () => {
    const { store } = counted(`batch-err-${process.pid}-${++prefixes}:`);
    await store.update('e', fresh, (s) => ({ state: { ...s, resendBudget: 0 }, result: undefined }));
    const bump = () =>
      store.update('e', fresh, (s) => ({
        state: { ...s, resendBudget: s.resendBudget + 1 },
        result: undefined,
      }));
    const outcomes = await Promise.allSettled([
      bump(),
      store.update('e', fresh, () => {
        throw new Error('reducer broke');
      }),
      bump(),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.read('e'))?.resendBudget).toBe(2);
  });

  it('a version another worker has replaced costs one retry with the state the script returned', async () => {
    const prefix = `stale-${process.pid}-${++prefixes}:`;
    const { store: a, calls } = counted(prefix);
    const b = newRedisStore(prefix);
    const bump = (store: GovernorStore) =>
      store.update('s', fresh, (s) => ({
        state: { ...s, resendBudget: s.resendBudget + 1 },
        result: undefined,
      }));
    await a.update('s', fresh, (s) => ({ state: { ...s, resendBudget: 0 }, result: undefined }));
    await bump(b); // a's remembered version is now stale
    const before = { ...calls };
    await bump(a);
    expect(calls.hmget - before.hmget).toBe(0);
    expect(calls.evalsha - before.evalsha).toBe(2);
    expect((await b.read('s'))?.resendBudget).toBe(2);
  });
});

describe('RedisGovernorStore across stores', () => {
  it('two store instances (two workers) updating one key concurrently lose no update', async () => {
    const prefix = `two-${process.pid}:`;
    const a = newRedisStore(prefix);
    const b = newRedisStore(prefix);
    await a.update('shared', fresh, (s) => ({ state: { ...s, resendBudget: 0 }, result: undefined }));
    const bump = (store: GovernorStore) =>
      store.update('shared', fresh, (s) => ({
        state: { ...s, resendBudget: s.resendBudget + 1 },
        result: undefined,
      }));
    await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 === 0 ? a : b)));
    expect((await b.read('shared'))?.resendBudget).toBe(40);
    expect(a.degraded || b.degraded).toBe(false);
  });

  it('admits the concurrency limit once across two instances', async () => {
    const prefix = `cap-${process.pid}:`;
    const a = newRedisStore(prefix);
    const b = newRedisStore(prefix);
    const init = () => initialToolState(capped, NOW);
    const verdicts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? a : b).update('capped', init, (s) => {
          const r = admit(s, { nowMs: NOW, leaseId: `l${i}`, leaseTtlMs: 60_000 }, capped);
          return { state: r.state, result: r.verdict.go };
        }),
      ),
    );
    expect(verdicts.filter(Boolean)).toHaveLength(3);
  });

  it('stores each state with a TTL, so nothing stays shut forever after a crash', async () => {
    const prefix = `ttl-${process.pid}:`;
    const store = redisStore({ url: redis.url, keyPrefix: prefix, ttlMs: 120_000, callTimeoutMs: 5_000 });
    opened.push(store);
    await store.update('held', fresh, (s) => ({
      state: { ...s, hold: { untilMs: NOW + 60_000, reason: 'quota' } },
      result: undefined,
    }));
    const client = new Redis(redis.url);
    try {
      const ttl = await client.pttl(`${prefix}tool:held`);
      expect(ttl).toBeGreaterThan(100_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    } finally {
      client.disconnect();
    }
  });
});
