// One contract, every spend tally: the in-memory tally and the Redis tally (on a real redis-server) add and read the
// same way, so budgets do not depend on where the spend lives; then what only the shared one does (one total for a
// fleet, expiry, faults).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResilienceInterceptors } from '../../../interceptors/plugin';
import { redisStore, type RedisGovernorStore } from '../../../interceptors/containment/redis-store';
import { DEFAULT_SPEND_TTL_MS, RedisSpendTally } from '../../../interceptors/containment/redis-spend-tally';
import { InMemorySpendTally, type SpendTally } from '../../../interceptors/spend-tally';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';

let redis: RedisServer;
const opened: RedisGovernorStore[] = [];
const clients: Redis[] = [];
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

/** A Redis store on its own key prefix; a generous deadline, so a slow machine does not test the fallback instead. */
function newStore(prefix = `tally-${process.pid}-${++prefixes}:`, spendTtlMs?: number): RedisGovernorStore {
  const store = redisStore({
    url: redis.url,
    keyPrefix: prefix,
    callTimeoutMs: 5_000,
    ...(spendTtlMs !== undefined ? { spendTtlMs } : {}),
  });
  opened.push(store);
  return store;
}

function rawClient(): Redis {
  const client = new Redis(redis.url);
  clients.push(client);
  return client;
}

const tallies: ReadonlyArray<readonly [string, () => SpendTally]> = [
  ['InMemorySpendTally', () => new InMemorySpendTally()],
  ['RedisSpendTally (redisStore().spendTally())', () => newStore().spendTally()],
  [
    'RedisSpendTally on your own ioredis client',
    () => {
      const client = new Redis(redis.url, { enableOfflineQueue: false });
      clients.push(client);
      return new RedisSpendTally({
        client,
        keyPrefix: `own-${process.pid}-${++prefixes}:`,
        callTimeoutMs: 5_000,
      });
    },
  ],
];

describe.each(tallies)('SpendTally contract: %s', (_name, make) => {
  it('starts every execution at 0 and adds what each attempt records', async () => {
    const tally = make();
    expect(await tally.spent('ns/wf/run')).toBe(0);
    await tally.add('ns/wf/run', 0.1);
    await tally.add('ns/wf/run', 0.25);
    expect(await tally.spent('ns/wf/run')).toBeCloseTo(0.35, 9);
    expect(await tally.spent('ns/wf/other-run')).toBe(0);
  });

  it('ignores amounts that are not positive and finite', async () => {
    const tally = make();
    await tally.add('k', 0.5);
    for (const usd of [0, -1, NaN, Infinity, -Infinity]) await tally.add('k', usd);
    expect(await tally.spent('k')).toBe(0.5);
  });

  it('keeps micro-dollar precision over many additions (no float drift)', async () => {
    const tally = make();
    for (let i = 0; i < 100; i++) await tally.add('k', 0.01);
    expect(await tally.spent('k')).toBe(1);
    await tally.add('k', 0.000_001);
    expect(await tally.spent('k')).toBe(1.000_001);
  });

  it('loses no addition made concurrently', async () => {
    const tally = make();
    await Promise.all(Array.from({ length: 50 }, () => tally.add('k', 0.02)));
    expect(await tally.spent('k')).toBe(1);
  });
});

describe('RedisSpendTally across workers', () => {
  it('two workers on the same store see one total per execution (the budget holds fleet-wide)', async () => {
    const prefix = `fleet-${process.pid}:`;
    const a = newStore(prefix).spendTally();
    const b = newStore(prefix).spendTally();
    await a.add('ns/wf/run', 0.2);
    await b.add('ns/wf/run', 0.15);
    expect(await a.spent('ns/wf/run')).toBeCloseTo(0.35, 9);
    expect(await b.spent('ns/wf/run')).toBeCloseTo(0.35, 9);
    // A different fleet (key prefix) shares nothing with it.
    expect(await newStore(`other-${process.pid}:`).spendTally().spent('ns/wf/run')).toBe(0);
  });

  it('one tally per store, so every interceptor of a worker shares its floor', () => {
    const store = newStore();
    expect(store.spendTally()).toBe(store.spendTally());
  });

  it('the plugin uses the shared store tally by default, and a tally passed explicitly wins', () => {
    const store = newStore();
    expect(createResilienceInterceptors({ store }).tally).toBe(store.spendTally());
    const own = new InMemorySpendTally();
    expect(createResilienceInterceptors({ store }, { spendTally: own }).tally).toBe(own);
    expect(createResilienceInterceptors().tally).toBeInstanceOf(InMemorySpendTally);
  });

  it('keys each execution under the prefix with a TTL (7 days by default, configurable)', async () => {
    const client = rawClient();
    const defaults = newStore(`ttl-default-${process.pid}:`).spendTally();
    await defaults.add('ns/wf/run', 1);
    expect(await client.get(`ttl-default-${process.pid}:spend:ns/wf/run`)).toBe('1000000');
    const ttl = await client.pttl(`ttl-default-${process.pid}:spend:ns/wf/run`);
    expect(ttl).toBeGreaterThan(DEFAULT_SPEND_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(DEFAULT_SPEND_TTL_MS);
    const short = newStore(`ttl-short-${process.pid}:`, 120_000).spendTally();
    await short.add('ns/wf/run', 1);
    const shortTtl = await client.pttl(`ttl-short-${process.pid}:spend:ns/wf/run`);
    expect(shortTtl).toBeGreaterThan(100_000);
    expect(shortTtl).toBeLessThanOrEqual(120_000);
  });

  it('Redis away: answers within its deadline with what this worker recorded, then shares again when it returns', async () => {
    const prefix = `faults-${process.pid}:`;
    const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    clients.push(client);
    let nowMs = 1_000_000;
    const tally = new RedisSpendTally({
      client,
      keyPrefix: prefix,
      callTimeoutMs: 200,
      retryMs: 1_000,
      now: () => nowMs,
    });
    const other = newStore(prefix).spendTally();
    await tally.add('k', 0.1);
    await other.add('k', 0.2);
    expect(await tally.spent('k')).toBeCloseTo(0.3, 9);

    await redis.kill();
    const started = Date.now();
    await tally.add('k', 0.05); // Redis cannot count it: this worker still does
    expect(await tally.spent('k')).toBeCloseTo(0.15, 9);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(tally.degraded).toBe(true);

    await redis.restart(); // empty: no persistence
    await new Promise<void>((resolve) => {
      if (client.status === 'ready') resolve();
      else client.once('ready', () => resolve());
    });
    // Within retryMs of the failure the tally stays local, without waiting on Redis.
    await tally.add('k', 0.05);
    expect(await tally.spent('k')).toBeCloseTo(0.2, 9);
    nowMs += 1_000;
    expect(tally.degraded).toBe(false);
    await other.add('k', 0.5); // Redis forgot everything before the restart; it counts again from here
    expect(await tally.spent('k')).toBeCloseTo(0.5, 9);
  });
});
