/**
 * Containment (issue 12): the toolkit with its defaults, the toolkit with the limit configured, and a bare worker
 * (Temporal's default retry policy, errors unclassified), against the same fake provider in the same run, for several
 * rounds, next to the ideal (the work divided by the tool's capacity, measured by a calibration run).
 *
 * Makespan is measured from the provider's first request to the last workflow result, in real time on the dev
 * server (containment keeps real time: it protects a provider, whose clock never skips).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resiliencePlugin, type ResilienceOptions } from '../../index';
import type { FakeProvider, RecordedRequest, RouteOptions } from '../../testing';
import type { CallProviderInput } from '../../examples/workflows/call-provider';
import { createExampleWorker } from '../../test/helpers/worker';
import { inFlightSeries, stepChart, type Series } from '../chart';
import type { Row } from '../table';

/** Who runs the workflows. */
type Variant = 'bare' | 'toolkit' | 'configured';

/** One batch of workflows as the provider and the client saw it. */
interface Batch {
  readonly makespanMs: number;
  readonly calls: number;
  readonly rejected: number;
  readonly failures: number;
  readonly firstRequestAt: number;
  readonly lastResultAt: number;
  readonly requests: readonly RecordedRequest[];
  /** The toolkit's concurrency limit over time (absolute ms), sampled every 25 ms. */
  readonly limit: ReadonlyArray<readonly [number, number]>;
}

interface BatchSpec {
  readonly path: string;
  readonly route: () => RouteOptions;
  readonly workflows: number;
  readonly variant: Variant;
  readonly options?: ResilienceOptions;
  readonly deadlineMs?: number;
}

let queueCounter = 0;

/** Runs `workflows` callProvider workflows at once and measures them. */
export async function runBatch(
  env: TestWorkflowEnvironment,
  provider: FakeProvider,
  spec: BatchSpec,
): Promise<Batch> {
  provider.route(spec.path, spec.route());
  provider.reset();
  const taskQueue = `contain-${process.pid}-${++queueCounter}`;
  const plugin = spec.variant === 'bare' ? undefined : resiliencePlugin(spec.options ?? {});
  const worker = await createExampleWorker(env, taskQueue, plugin ? { plugins: [plugin] } : {});
  const input: CallProviderInput =
    spec.variant === 'bare'
      ? { url: provider.url(spec.path), policy: 'temporal-default', plain: true }
      : { url: provider.url(spec.path), policy: 'httpApi' };
  const limit: Array<[number, number]> = [];
  const sampler = plugin
    ? setInterval(() => {
        void plugin.toolStates().then((states) => {
          const state = states.callProvider;
          if (state) limit.push([Date.now(), state.concurrencyLimit]);
        });
      }, 25)
    : undefined;
  const results: number[] = [];
  let failures = 0;
  try {
    await worker.runUntil(async () => {
      const handles = await Promise.all(
        Array.from({ length: spec.workflows }, (_, i) =>
          env.client.workflow.start('callProviderWorkflow', {
            taskQueue,
            workflowId: `${taskQueue}-${i}`,
            args: [input],
          }),
        ),
      );
      const deadline = spec.deadlineMs
        ? new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), spec.deadlineMs))
        : undefined;
      await Promise.all(
        handles.map(async (handle) => {
          const outcome = handle.result().then(
            () => 'ok' as const,
            () => 'failed' as const,
          );
          const settled = await (deadline ? Promise.race([outcome, deadline]) : outcome);
          if (settled === 'ok') results.push(Date.now());
          else {
            failures++;
            if (settled === 'deadline') await handle.terminate('benchmark deadline').catch(() => undefined);
          }
        }),
      );
    });
  } finally {
    if (sampler) clearInterval(sampler);
  }
  const requests = provider.requests(spec.path);
  const firstRequestAt = requests[0]?.receivedAt ?? 0;
  const lastResultAt = Math.max(firstRequestAt, ...results);
  return {
    makespanMs: lastResultAt - firstRequestAt,
    calls: requests.length,
    rejected: requests.filter((r) => r.status === 429).length,
    failures,
    firstRequestAt,
    lastResultAt,
    requests,
    limit,
  };
}

/** min / median / max of a list, formatted. */
function spread(values: readonly number[], scale = 1, digits = 2): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => (v / scale).toFixed(digits);
  return `${f(sorted[0]!)} / ${f(median(sorted))} / ${f(sorted[sorted.length - 1]!)}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Bare workers retry a storm with Temporal's default backoff (1 s, x2, up to 100 s), so one bare batch can take
 * minutes: bare runs get fewer rounds and a deadline (what is not done by then counts as not done). The toolkit, whose
 * failure mode was bimodal, always gets every round.
 */
const BARE_ROUNDS = 3;
const BARE_DEADLINE_MS = 60_000;

/** The rounds of one scenario, variants rotated so none always runs first. */
async function rounds(
  count: number,
  variants: readonly Variant[],
  run: (variant: Variant) => Promise<Batch>,
): Promise<Record<Variant, Batch[]>> {
  const out = { bare: [], toolkit: [], configured: [] } as Record<Variant, Batch[]>;
  for (let round = 0; round < count; round++) {
    const order = variants
      .map((_, i) => variants[(i + round) % variants.length]!)
      .filter((v) => v !== 'bare' || round < BARE_ROUNDS);
    for (const variant of order) out[variant].push(await run(variant));
  }
  return out;
}

/**
 * Writes the chart of a scenario's median-makespan rounds: the limit and the calls in flight against the capacity,
 * or (`calls-so-far`, for an outage, whose failures are answered in the millisecond they arrive and so are never
 * seen in flight) the calls made so far.
 */
function chart(
  name: string,
  title: string,
  batches: Partial<Record<Variant, Batch[]>>,
  capacity: number | undefined,
  measure: 'in-flight' | 'calls-so-far' = 'in-flight',
): string {
  const pick = (list: Batch[] | undefined) => {
    if (!list || list.length === 0) return undefined;
    const sorted = [...list].sort((a, b) => a.makespanMs - b.makespanMs);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const series: Series[] = [];
  const colours: Record<Variant, string> = { bare: '#7f7f7f', toolkit: '#1f77b4', configured: '#2ca02c' };
  for (const variant of ['bare', 'toolkit', 'configured'] as const) {
    const batch = pick(batches[variant]);
    if (!batch) continue;
    const t0 = batch.firstRequestAt;
    if (measure === 'calls-so-far') {
      const starts = batch.requests.map((r) => r.receivedAt - t0).sort((a, b) => a - b);
      series.push({
        label: `${variant}: calls made`,
        colour: colours[variant],
        points: [
          [0, 0],
          ...starts.map((t, i) => [t, i + 1] as const),
          [batch.lastResultAt - t0, starts.length],
        ],
      });
      continue;
    }
    const intervals = batch.requests.map(
      (r) => [r.receivedAt - t0, (r.answeredAt ?? batch.lastResultAt) - t0] as const,
    );
    series.push({
      label: `${variant}: calls in flight`,
      colour: colours[variant],
      points: inFlightSeries(intervals),
    });
    if (variant !== 'bare' && batch.limit.length > 0) {
      series.push({
        label: `${variant}: limit`,
        colour: colours[variant],
        dashed: true,
        points: batch.limit
          .filter(([t]) => t >= t0)
          .map(([t, v]) => [t - t0, Number.isFinite(v) ? v : 0] as const),
      });
    }
  }
  const dir = join(__dirname, '../charts');
  mkdirSync(dir, { recursive: true });
  const file = `${name}.svg`;
  writeFileSync(
    join(dir, file),
    stepChart(
      title,
      series,
      capacity === undefined ? undefined : { label: 'provider capacity', value: capacity },
    ),
  );
  return `charts/${file}`;
}

/** Outcome of the containment benchmarks: the tables and the charts they drew. */
export interface ContainmentResults {
  readonly sections: ReadonlyArray<{
    readonly title: string;
    readonly rows: Row[];
    readonly charts: string[];
  }>;
}

/** A provider answering 429 (no Retry-After) above `capacity` in flight; each call takes `delayMs`. */
export function capRoute(capacity: number, delayMs: number): () => RouteOptions {
  return () => ({ maxInFlight: capacity, then: { status: 200, delayMs } });
}

/** Concurrency cap N, W workflows, the limit unknown to the toolkit (defaults) and told to it (configured). */
async function capScenarios(env: TestWorkflowEnvironment, provider: FakeProvider, count: number) {
  const rows: Row[] = [];
  const charts: string[] = [];
  const delayMs = 200;
  for (const capacity of [2, 5]) {
    for (const workflows of [10, 30]) {
      const path = `/cap-${capacity}-${workflows}`;
      const calibration: number[] = [];
      for (let i = 0; i < count; i++) {
        const cal = await runBatch(env, provider, {
          path,
          route: () => ({ then: { status: 200, delayMs } }),
          workflows,
          variant: 'bare',
        });
        calibration.push(cal.makespanMs);
      }
      // The ideal is the work divided by the capacity; the calibration (the same workflows against an unlimited
      // tool) shows what Temporal itself adds to one wave, which no worker can avoid.
      const ideal = (workflows * delayMs) / capacity;
      const overhead = median(calibration) - delayMs;
      const batches = await rounds(count, ['bare', 'toolkit', 'configured'], (variant) =>
        runBatch(env, provider, {
          path,
          route: capRoute(capacity, delayMs),
          workflows,
          variant,
          ...(variant === 'bare' ? { deadlineMs: BARE_DEADLINE_MS } : {}),
          ...(variant === 'configured'
            ? { options: { defaultToolLimits: { maxConcurrency: capacity } } }
            : {}),
        }),
      );
      const med = (v: Variant, f: (b: Batch) => number) => median(batches[v].map(f));
      const bare429 = med('bare', (b) => b.rejected);
      rows.push({
        scenario: `cap ${capacity} in flight, ${workflows} workflows, ${delayMs} ms per call`,
        'ideal: work / capacity (s)': ideal / 1000,
        'Temporal overhead per wave (s)': overhead / 1000,
        'bare makespan s (min/med/max)': spread(
          batches.bare.map((b) => b.makespanMs),
          1000,
        ),
        'toolkit makespan s': spread(
          batches.toolkit.map((b) => b.makespanMs),
          1000,
        ),
        'configured makespan s': spread(
          batches.configured.map((b) => b.makespanMs),
          1000,
        ),
        'calls / 429s bare (med)': `${med('bare', (b) => b.calls)} / ${bare429}`,
        'bare not done in 60 s (max)': Math.max(...batches.bare.map((b) => b.failures)),
        'calls / 429s toolkit (med)': `${med('toolkit', (b) => b.calls)} / ${med('toolkit', (b) => b.rejected)}`,
        'calls / 429s configured (med)': `${med('configured', (b) => b.calls)} / ${med('configured', (b) => b.rejected)}`,
        'toolkit / ideal': med('toolkit', (b) => b.makespanMs) / ideal,
        'toolkit / bare': med('toolkit', (b) => b.makespanMs) / med('bare', (b) => b.makespanMs),
        'configured / ideal': med('configured', (b) => b.makespanMs) / ideal,
        'bar met': barMet([
          Math.max(...batches.toolkit.map((b) => b.makespanMs)) <= 1.5 * ideal + overhead,
          med('toolkit', (b) => b.makespanMs) <= med('bare', (b) => b.makespanMs),
          med('toolkit', (b) => b.rejected) <= 0.1 * bare429,
          Math.max(...batches.configured.map((b) => b.makespanMs)) <= 1.2 * ideal + overhead,
          Math.max(...batches.configured.map((b) => b.rejected)) === 0,
          [...batches.toolkit, ...batches.configured].every((b) => b.failures === 0),
        ]),
      });
      console.log(rows.at(-1));
      charts.push(
        chart(
          `cap-${capacity}-${workflows}`,
          `Capacity ${capacity} in flight, ${workflows} workflows: calls in flight and the toolkit's limit`,
          batches,
          capacity,
        ),
      );
    }
  }
  return { rows, charts };
}

/** A provider with a token bucket of `perSecond` (burst `perSecond`), telling its budget in OpenAI-style headers. */
function rateRoute(perSecond: number, delayMs: number): () => RouteOptions {
  return () => {
    let tokens = perSecond;
    let last = Date.now();
    return {
      respond: () => {
        const now = Date.now();
        tokens = Math.min(perSecond, tokens + ((now - last) / 1000) * perSecond);
        last = now;
        const ok = tokens >= 1;
        if (ok) tokens -= 1;
        const headers = {
          'x-ratelimit-limit-requests': String(perSecond),
          'x-ratelimit-remaining-requests': String(Math.floor(tokens)),
          'x-ratelimit-reset-requests': `${Math.ceil(((perSecond - tokens) / perSecond) * 1000)}ms`,
        };
        return ok ? { status: 200, delayMs, headers } : { status: 429, headers };
      },
    };
  };
}

/** Request-rate cap: 10 req/s on the provider, 60 workflows; achieved rate after the first burst. */
async function rateScenario(env: TestWorkflowEnvironment, provider: FakeProvider, count: number) {
  const perSecond = 10;
  const workflows = 60;
  const batches = await rounds(count, ['bare', 'toolkit'], (variant) =>
    runBatch(env, provider, {
      path: '/rate',
      route: rateRoute(perSecond, 50),
      workflows,
      variant,
      ...(variant === 'bare' ? { deadlineMs: BARE_DEADLINE_MS } : {}),
    }),
  );
  // The sustained rate: successes after the provider's initial burst, over the time they took.
  const sustained = (b: Batch) => {
    const ok = b.requests.filter((r) => r.status === 200).map((r) => r.receivedAt);
    const after = ok.slice(perSecond);
    return after.length > 1 ? ((after.length - 1) / (after.at(-1)! - after[0]!)) * 1000 : 0;
  };
  const ideal = ((workflows - perSecond) / perSecond) * 1000;
  const share = (b: Batch) => b.rejected / b.calls;
  const row: Row = {
    scenario: `${perSecond} req/s token bucket, ${workflows} workflows, 429 with rate-limit headers`,
    'ideal (s)': ideal / 1000,
    'bare makespan s (min/med/max)': spread(
      batches.bare.map((b) => b.makespanMs),
      1000,
    ),
    'toolkit makespan s': spread(
      batches.toolkit.map((b) => b.makespanMs),
      1000,
    ),
    'sustained req/s bare (med)': median(batches.bare.map(sustained)),
    'sustained req/s toolkit (med)': median(batches.toolkit.map(sustained)),
    'calls / 429s bare (med)': `${median(batches.bare.map((b) => b.calls))} / ${median(batches.bare.map((b) => b.rejected))}`,
    'calls / 429s toolkit (med)': `${median(batches.toolkit.map((b) => b.calls))} / ${median(batches.toolkit.map((b) => b.rejected))}`,
    'bar met': barMet([
      median(batches.toolkit.map(sustained)) >= 0.9 * perSecond,
      Math.max(...batches.toolkit.map(share)) <= 0.05,
      median(batches.toolkit.map((b) => b.makespanMs)) <= median(batches.bare.map((b) => b.makespanMs)),
    ]),
  };
  console.log(row);
  return {
    rows: [row],
    charts: [chart('rate-10', `${perSecond} req/s cap, ${workflows} workflows`, batches, undefined)],
  };
}

/** A tool down for `outageMs` from its first call, then back. */
function outageRoute(outageMs: number, recovery: { at: number }): () => RouteOptions {
  return () => {
    recovery.at = Infinity;
    return {
      respond: (r) => {
        if (r.callNumber === 1) recovery.at = r.receivedAt + outageMs;
        return { status: r.receivedAt < recovery.at ? 503 : 200 };
      },
    };
  };
}

/** Outages of 3 s and 10 s, 10 workflows: calls during the outage and the last result after recovery. */
export async function outageScenarios(env: TestWorkflowEnvironment, provider: FakeProvider, count: number) {
  const rows: Row[] = [];
  const charts: string[] = [];
  for (const outageMs of [3_000, 10_000]) {
    const recovery = { at: Infinity };
    const during = new Map<Batch, number>();
    const late = new Map<Batch, number>();
    const batches = await rounds(count, ['bare', 'toolkit'], async (variant) => {
      const batch = await runBatch(env, provider, {
        path: `/down-${outageMs}`,
        route: outageRoute(outageMs, recovery),
        workflows: 10,
        variant,
      });
      during.set(batch, batch.requests.filter((r) => r.receivedAt < recovery.at).length);
      late.set(batch, batch.lastResultAt - recovery.at);
      return batch;
    });
    const med = (v: Variant, m: Map<Batch, number>) => median(batches[v].map((b) => m.get(b)!));
    rows.push({
      scenario: `tool down for ${outageMs / 1000} s, 10 workflows`,
      'calls during outage bare (min/med/max)': spread(
        batches.bare.map((b) => during.get(b)!),
        1,
        0,
      ),
      'calls during outage toolkit': spread(
        batches.toolkit.map((b) => during.get(b)!),
        1,
        0,
      ),
      'last done after recovery s bare': spread(
        batches.bare.map((b) => late.get(b)!),
        1000,
      ),
      'last done after recovery s toolkit': spread(
        batches.toolkit.map((b) => late.get(b)!),
        1000,
      ),
      'bar met': barMet([
        med('toolkit', during) <= med('bare', during) / 3,
        med('toolkit', late) <= med('bare', late),
        batches.toolkit.every((b) => b.failures === 0),
      ]),
    });
    console.log(rows.at(-1));
    charts.push(
      chart(
        `outage-${outageMs / 1000}s`,
        `Tool down for ${outageMs / 1000} s: calls made so far (the tool is back at ${outageMs / 1000} s)`,
        batches,
        undefined,
        'calls-so-far',
      ),
    );
  }
  return { rows, charts };
}

/** 30 concurrent first attempts against a quota 429: the bounded first wave. */
async function quotaWave(env: TestWorkflowEnvironment, provider: FakeProvider, count: number) {
  const calls: number[] = [];
  for (let i = 0; i < count; i++) {
    const batch = await runBatch(env, provider, {
      path: '/quota-wave',
      route: () => ({ then: { status: 429, delayMs: 100, body: { error: { code: 'insufficient_quota' } } } }),
      workflows: 30,
      variant: 'toolkit',
    });
    calls.push(batch.calls);
  }
  return {
    rows: [
      {
        scenario: 'quota 429 (insufficient_quota), 30 concurrent first attempts',
        'provider calls toolkit (min/med/max)': spread(calls, 1, 0),
        'calls before this change': 30,
        'bar met': barMet([median(calls) <= 3]),
      },
    ],
    charts: [],
  };
}

/**
 * 1,000 workflows through one worker against a tool capped at 20 in flight: makespan, calls, worker RSS. Bare and
 * toolkit alternate, the first of each round swapped, so neither always runs on a warmer process.
 */
export async function thousand(env: TestWorkflowEnvironment, provider: FakeProvider, count: number) {
  const batches: Record<'bare' | 'toolkit', Batch[]> = { bare: [], toolkit: [] };
  const rss: Record<'bare' | 'toolkit', number[]> = { bare: [], toolkit: [] };
  for (let round = 0; round < count; round++) {
    const order = round % 2 === 0 ? (['toolkit', 'bare'] as const) : (['bare', 'toolkit'] as const);
    for (const variant of order) {
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const batch = await runBatch(env, provider, {
        path: '/thousand',
        route: capRoute(20, 20),
        workflows: 1_000,
        variant,
        deadlineMs: 120_000,
      });
      batches[variant].push(batch);
      rss[variant].push((process.memoryUsage().rss - rssBefore) / 2 ** 20);
      console.log(
        `thousand ${variant}: ${batch.makespanMs} ms, ${batch.calls} calls, ${batch.rejected} x 429`,
      );
    }
  }
  const row = (variant: 'bare' | 'toolkit'): Row => ({
    scenario: `1,000 workflows, tool capped at 20 in flight, 20 ms per call (${variant})`,
    'ideal (s)': 1,
    'makespan s (min/med/max)': spread(
      batches[variant].map((b) => b.makespanMs),
      1000,
    ),
    'not done in 120 s': batches[variant].reduce((n, b) => n + b.failures, 0),
    'calls (med)': median(batches[variant].map((b) => b.calls)),
    '429s (med)': median(batches[variant].map((b) => b.rejected)),
    'worker RSS growth MB (med)': median(rss[variant]).toFixed(0),
  });
  const ratio =
    median(batches.toolkit.map((b) => b.makespanMs)) / median(batches.bare.map((b) => b.makespanMs));
  const rows = [row('bare'), row('toolkit')];
  rows[1] = { ...rows[1]!, 'median makespan / bare': ratio.toFixed(2), 'bar met': barMet([ratio <= 1]) };
  return { rows, charts: [] };
}

function barMet(checks: readonly boolean[]): string {
  const failed = checks.filter((c) => !c).length;
  return failed === 0 ? 'yes' : `NO (${failed} of ${checks.length})`;
}

/** Every containment scenario, `count` rounds each. */
export async function runContainment(
  env: TestWorkflowEnvironment,
  provider: FakeProvider,
  count: number,
): Promise<ContainmentResults> {
  const cap = await capScenarios(env, provider, count);
  const rate = await rateScenario(env, provider, count);
  const outage = await outageScenarios(env, provider, count);
  const quota = await quotaWave(env, provider, count);
  const big = await thousand(env, provider, Math.min(count, 3));
  return {
    sections: [
      { title: `Concurrency cap, limit unknown and configured (${count} rounds)`, ...cap },
      { title: `Request-rate cap from provider headers (${count} rounds)`, ...rate },
      { title: `Outage and recovery (${count} rounds)`, ...outage },
      { title: `Bounded first wave (${count} rounds)`, ...quota },
      { title: `1,000 concurrent workflows through one worker (${Math.min(count, 3)} rounds)`, ...big },
    ],
  };
}
