/**
 * Many workers as one polite caller: 3 worker processes on one task queue against the fake provider (capacity 2 in
 * flight; a 10 s outage; steady state), each with the toolkit, with and without the shared Redis store; and the
 * store's own cost per admission. Runs alone with `node --import tsx bench/scenarios/fleet.ts [rounds]`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { GovernorRegistry } from '../../interceptors/containment/governor-registry';
import { redisStore } from '../../interceptors/containment/redis-store';
import { createDevServerEnv, FakeProvider } from '../../testing';
import { runProviderBatch, startFleet } from '../../test/helpers/fleet-workers';
import { startRedisServer, type RedisServer } from '../../test/helpers/redis-server';
import { markdownTable, type Row } from '../table';
import type { RecordedRequest } from '../../testing';

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

const OUTAGE_MS = 10_000;
/** The circuit's shortest probe interval (its default `openMs`): two probes of one fleet are at least this apart. */
const PROBE_INTERVAL_MS = 1_000;

/**
 * The tool is down (503) for 10 s from its first call. Calls during the outage split into the opening wave (until
 * the first pause of half a probe interval: the circuits are open) and the probes after it; with the shared store
 * every probe interval should hold one probe fleet-wide, without it one per worker.
 */
export async function outageRun(
  env: TestWorkflowEnvironment,
  provider: FakeProvider,
  redis: RedisServer,
  shared: boolean,
): Promise<Row> {
  const taskQueue = `fleet-bench-${++runs}`;
  const route = `/${taskQueue}`;
  let recoveryAt = Infinity;
  provider.route(route, {
    respond: (r) => {
      if (r.callNumber === 1) recoveryAt = r.receivedAt + OUTAGE_MS;
      return { status: r.receivedAt < recoveryAt ? 503 : 200 };
    },
  });
  const fleet = await startFleet({
    address: env.address,
    taskQueue,
    workers: WORKERS,
    ...(shared ? { redisUrl: redis.url, keyPrefix: `${taskQueue}:` } : {}),
  });
  try {
    const result = await runProviderBatch(env.client, taskQueue, WORKFLOWS, { url: provider.url(route) });
    const during = provider.requests(route).filter((r) => r.receivedAt < recoveryAt);
    const { wave, probes } = splitOpeningWave(during);
    const gaps = probes.slice(1).map((r, i) => (r.receivedAt - probes[i]!.receivedAt) / 1000);
    return {
      scenario: `tool down for ${OUTAGE_MS / 1000} s, ${WORKFLOWS} workflows`,
      workers: WORKERS,
      store: shared ? 'redisStore (shared)' : 'in-memory (per worker)',
      'calls during outage': during.length,
      'opening wave': wave.length,
      'probes after opening': probes.length,
      'most probes in one probe interval (1 s)': mostWithin(probes, PROBE_INTERVAL_MS),
      'gaps between probes (s)': gaps.map((g) => g.toFixed(2)).join(' '),
      'workflows completed': result.succeeded,
      'last done after recovery (s)': (result.lastCloseMs - recoveryAt) / 1000,
      'store degraded (times)': shared ? fleet.degradedEvents() : '-',
    };
  } finally {
    await fleet.stop();
  }
}

/** The calls until the first pause of half a probe interval (the circuits opened), and those after it. */
function splitOpeningWave(requests: readonly RecordedRequest[]): {
  wave: RecordedRequest[];
  probes: RecordedRequest[];
} {
  const sorted = [...requests].sort((a, b) => a.receivedAt - b.receivedAt);
  const pause = sorted.findIndex(
    (r, i) => i > 0 && r.receivedAt - sorted[i - 1]!.receivedAt >= PROBE_INTERVAL_MS / 2,
  );
  const cut = pause < 0 ? sorted.length : pause;
  return { wave: sorted.slice(0, cut), probes: sorted.slice(cut) };
}

/** The most requests in any window `windowMs` long. */
function mostWithin(requests: readonly RecordedRequest[], windowMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < requests.length; end++) {
    while (requests[end]!.receivedAt - requests[start]!.receivedAt >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

const STEADY_WORKFLOWS = 60;

/**
 * Steady state: a healthy provider (50 ms per call, no limit of its own) and a fleet limit that does not bind
 * (`maxConcurrency: 60`), so the only difference between the two fleets is where the containment state lives.
 * Both fleets run side by side, and each round runs a batch on each at the same time: on a machine shared with other
 * jobs, rounds run one after the other saw load swings larger than the difference measured (per-round ratios from
 * 0.44 to 2.34); at the same time, both batches meet the same load.
 */
export async function steadyThroughput(
  env: TestWorkflowEnvironment,
  provider: FakeProvider,
  redis: RedisServer,
  rounds: number,
): Promise<Row[]> {
  const base = `fleet-bench-steady-${++runs}`;
  const route = `/${base}`;
  provider.route(route, { then: { status: 200, body: { ok: true }, delayMs: 50 } });
  const fleets = {
    local: await startFleet({
      address: env.address,
      taskQueue: `${base}-local`,
      workers: WORKERS,
      maxConcurrency: 60,
    }),
    shared: await startFleet({
      address: env.address,
      taskQueue: `${base}-shared`,
      workers: WORKERS,
      maxConcurrency: 60,
      redisUrl: redis.url,
      keyPrefix: `${base}:`,
    }),
  };
  const perSecond = { local: [] as number[], shared: [] as number[] };
  try {
    // One warm-up round each (workflow bundles, connections, the shared tool state), not counted.
    for (let round = -1; round < rounds; round++) {
      await Promise.all(
        (['local', 'shared'] as const).map(async (variant) => {
          const taskQueue = `${base}-${variant}`;
          const result = await runProviderBatch(
            env.client,
            taskQueue,
            STEADY_WORKFLOWS,
            { url: provider.url(route) },
            `${taskQueue}-${round + 1}`,
          );
          if (result.failed > 0)
            throw new Error(`bench: ${result.failed} steady-state workflows failed (${variant})`);
          if (round >= 0) perSecond[variant].push(STEADY_WORKFLOWS / (result.makespanMs / 1000));
        }),
      );
      console.log(
        `steady round ${round + 1}: local ${perSecond.local.at(-1)?.toFixed(1)}/s, shared ${perSecond.shared.at(-1)?.toFixed(1)}/s`,
      );
    }
  } finally {
    await Promise.all([fleets.local.stop(), fleets.shared.stop()]);
  }
  const ratios = perSecond.shared.map((s, i) => s / perSecond.local[i]!);
  const spread = (values: number[], digits: number) =>
    [Math.min(...values), median(values), Math.max(...values)].map((v) => v.toFixed(digits)).join(' / ');
  return [
    {
      scenario: `steady state, ${STEADY_WORKFLOWS} workflows per round, ${rounds} rounds`,
      workers: WORKERS,
      'workflows/s in-memory (min / med / max)': spread(perSecond.local, 1),
      'workflows/s redisStore (min / med / max)': spread(perSecond.shared, 1),
      'ratio redisStore / in-memory per round (min / med / max)': spread(ratios, 2),
      'median ratio ≥ 0.95': median(ratios) >= 0.95 ? 'yes' : 'no',
    },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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

/** The fleet scenarios, the outage, steady-state throughput and the store's cost, as four tables. */
export async function runFleet(
  env: TestWorkflowEnvironment,
  provider: FakeProvider,
  rounds = 5,
): Promise<{ runs: Row[]; outage: Row[]; throughput: Row[]; cost: Row[] }> {
  const redis = await startRedisServer();
  try {
    const rows: Row[] = [];
    for (const scenario of ['capacity', 'quota'] as const) {
      for (const shared of [false, true]) {
        rows.push(await fleetRun(env, provider, redis, scenario, shared));
        console.log(rows.at(-1));
      }
    }
    const outage: Row[] = [];
    for (const shared of [false, true]) {
      outage.push(await outageRun(env, provider, redis, shared));
      console.log(outage.at(-1));
    }
    const throughput = await steadyThroughput(env, provider, redis, rounds);
    console.log(throughput[0]);
    return { runs: rows, outage, throughput, cost: await storeCost(redis) };
  } finally {
    await redis.stop();
  }
}

if (require.main === module) {
  void (async () => {
    const env = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
    const provider = await FakeProvider.start();
    try {
      const fleet = await runFleet(env, provider, Number(process.argv[2] ?? 5));
      for (const rows of [fleet.runs, fleet.outage, fleet.throughput, fleet.cost])
        console.log(`\n${markdownTable(rows)}`);
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
