/**
 * Many workers as one polite caller: 3 worker processes on one task queue against the fake provider (capacity 2 in
 * flight), each with the toolkit, with and without the shared Redis store; and the store's own cost per admission.
 * Runs alone with `node --import tsx bench/scenarios/fleet.ts`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { GovernorRegistry } from '../../interceptors/containment/governor-registry';
import { redisStore } from '../../interceptors/containment/redis-store';
import { createDevServerEnv, FakeProvider } from '../../testing';
import { runProviderBatch, startFleet } from '../../test/helpers/fleet-workers';
import { startRedisServer, type RedisServer } from '../../test/helpers/redis-server';
import { markdownTable, type Row } from '../table';

const WORKERS = 3;
const WORKFLOWS = 30;
let runs = 0;

async function fleetRun(
  env: TestWorkflowEnvironment,
  provider: FakeProvider,
  redis: RedisServer,
  scenario: 'capacity' | 'quota',
  shared: boolean,
): Promise<Row> {
  const taskQueue = `fleet-bench-${++runs}`;
  const route = `/${taskQueue}`;
  provider.route(
    route,
    scenario === 'capacity'
      ? { maxInFlight: 2, then: { status: 200, body: { ok: true }, delayMs: 100 } }
      : { then: { status: 429, headers: { 'retry-after': '10800' } } },
  );
  const fleet = await startFleet({
    address: env.address,
    taskQueue,
    workers: WORKERS,
    ...(shared ? { redisUrl: redis.url, keyPrefix: `${taskQueue}:` } : {}),
    ...(scenario === 'capacity' ? { maxConcurrency: 2 } : {}),
  });
  try {
    const result = await runProviderBatch(env.client, taskQueue, WORKFLOWS, { url: provider.url(route) });
    return {
      scenario:
        scenario === 'capacity'
          ? `capacity 2, maxConcurrency: 2, ${WORKFLOWS} workflows`
          : `quota 429 (Retry-After 10800), ${WORKFLOWS} concurrent workflows`,
      workers: WORKERS,
      store: shared ? 'redisStore (shared)' : 'in-memory (per worker)',
      'provider calls': provider.calls(route),
      '429s': provider.responsesWithStatus(429, route),
      'workflows completed': result.succeeded,
      'makespan (s)': result.makespanMs / 1000,
    };
  } finally {
    await fleet.stop();
  }
}

/** Microseconds per admission + release through a governor over each store, one attempt at a time. */
async function storeCost(redis: RedisServer, iterations = 2_000): Promise<Row[]> {
  const rows: Row[] = [];
  for (const kind of ['in-memory', 'redisStore'] as const) {
    const store = kind === 'redisStore' ? redisStore({ url: redis.url, keyPrefix: 'cost:' }) : undefined;
    if (store) await store.ready();
    const tools = new GovernorRegistry({
      quotaHoldMs: 60_000,
      defaultToolLimits: { maxConcurrency: 10 },
      ...(store ? { store } : {}),
    });
    const governor = tools.governorFor('llm');
    const admit: number[] = [];
    const release: number[] = [];
    for (let i = 0; i < iterations + 200; i++) {
      const t0 = process.hrtime.bigint();
      const permit = await governor.acquire({ leaseTtlMs: 60_000, maxWaitMs: 1_000 });
      const t1 = process.hrtime.bigint();
      if (!permit.granted) throw new Error(`bench: admission refused (${permit.reason})`);
      await permit.release('success');
      const t2 = process.hrtime.bigint();
      if (i < 200) continue; // warm-up
      admit.push(Number(t1 - t0) / 1e3);
      release.push(Number(t2 - t1) / 1e3);
    }
    tools.shutdown();
    await store?.close();
    rows.push({
      store: kind,
      'admission p50 (µs)': percentile(admit, 0.5),
      'admission p99 (µs)': percentile(admit, 0.99),
      'release p50 (µs)': percentile(release, 0.5),
      'release p99 (µs)': percentile(release, 0.99),
      degraded: store?.degraded ? 'yes (invalid run)' : 'no',
    });
  }
  return rows;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** The fleet scenarios and the store's cost, as two tables. */
export async function runFleet(
  env: TestWorkflowEnvironment,
  provider: FakeProvider,
): Promise<{ runs: Row[]; cost: Row[] }> {
  const redis = await startRedisServer();
  try {
    const rows: Row[] = [];
    for (const scenario of ['capacity', 'quota'] as const) {
      for (const shared of [false, true]) {
        rows.push(await fleetRun(env, provider, redis, scenario, shared));
        console.log(rows.at(-1));
      }
    }
    return { runs: rows, cost: await storeCost(redis) };
  } finally {
    await redis.stop();
  }
}

if (require.main === module) {
  void (async () => {
    const env = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
    const provider = await FakeProvider.start();
    try {
      const { runs: fleetRows, cost } = await runFleet(env, provider);
      console.log(`\n${markdownTable(fleetRows)}\n\n${markdownTable(cost)}`);
    } finally {
      await provider.close();
      await env.teardown();
    }
  })().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
