/**
 * Overhead: the same workload (2,000 no-op activities from 200 workflows) on a bare worker and a worker with the whole
 * toolkit, both without an OpenTelemetry SDK (the bar: CPU per activity within 1.10 x bare), and with an SDK
 * registered (in-memory span exporter): a worker with only @temporalio/interceptors-opentelemetry, and the toolkit
 * exporting its attempt spans. Alternated for several rounds on one real dev server.
 *
 * The toolkit is the built package (`dist/`, what users install; scripts/bench.sh builds it first), not the
 * TypeScript sources through tsx: tsx keeps function names with a helper call at every closure's creation, a cost
 * only the toolkit's code would pay here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkerPlugin } from '@temporalio/worker';
import * as activities from '../../examples/activities';
import type { Row } from '../table';
import type * as Toolkit from '../../index';

const WORKFLOWS = 200;
const PER_WORKFLOW = 10;

type Config = 'bare' | 'toolkit' | 'otel-interceptor' | 'toolkit + OpenTelemetry SDK';

/** Configurations that run with an OpenTelemetry SDK registered; the others run with the API's no-ops. */
const WITH_SDK: ReadonlySet<Config> = new Set(['otel-interceptor', 'toolkit + OpenTelemetry SDK']);

/** The built package's entry point. */
function builtPackage(): typeof Toolkit {
  const entry = join(__dirname, '../../dist/index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build (scripts/bench.sh does)`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(entry) as typeof Toolkit;
}

export async function runOverhead(env: TestWorkflowEnvironment, rounds: number): Promise<Row[]> {
  const exporter = new InMemorySpanExporter();
  const spanProcessor = new SimpleSpanProcessor(exporter);
  const tracerProvider = new BasicTracerProvider();
  tracerProvider.addSpanProcessor(spanProcessor);
  const meterProvider = new MeterProvider();
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const useSdk = (on: boolean) => {
    context.disable();
    propagation.disable();
    trace.disable();
    metrics.disable();
    if (!on) return;
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  };

  const plugins: Record<Config, () => WorkerPlugin[]> = {
    bare: () => [],
    toolkit: () => [builtPackage().resiliencePlugin()],
    'otel-interceptor': () => [
      new OpenTelemetryPlugin({ resource: new Resource({ 'service.name': 'bench' }), spanProcessor }),
    ],
    'toolkit + OpenTelemetry SDK': () => [builtPackage().resiliencePlugin()],
  };
  const logger = new DefaultLogger('ERROR');
  const bundles = Object.fromEntries(
    await Promise.all(
      (Object.keys(plugins) as Config[]).map(async (config) => [
        config,
        await bundleWorkflowCode({
          workflowsPath: join(__dirname, '../../examples/workflows/index.ts'),
          plugins: plugins[config]() as never,
          logger,
        }),
      ]),
    ),
  ) as Record<Config, Awaited<ReturnType<typeof bundleWorkflowCode>>>;

  const samples: Record<Config, Array<{ perSecond: number; cpuMsPerActivity: number; rssMb: number }>> = {
    bare: [],
    toolkit: [],
    'otel-interceptor': [],
    'toolkit + OpenTelemetry SDK': [],
  };
  const configs = Object.keys(plugins) as Config[];
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round, so that warm-up and drift do not always favour the same worker.
    const shift = round % configs.length;
    for (const config of [...configs.slice(shift), ...configs.slice(0, shift)]) {
      exporter.reset();
      useSdk(WITH_SDK.has(config));
      const taskQueue = `bench-${config}-${round}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundles[config],
        activities,
        plugins: plugins[config](),
      });
      global.gc?.();
      const cpuBefore = process.cpuUsage();
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
      const started = performance.now();
      await worker.runUntil(async () => {
        const handles = await Promise.all(
          Array.from({ length: WORKFLOWS }, (_, i) =>
            env.client.workflow.start('noopBatchWorkflow', {
              taskQueue,
              workflowId: `${taskQueue}-${i}`,
              args: [PER_WORKFLOW],
            }),
          ),
        );
        await Promise.all(handles.map((h) => h.result()));
      });
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const cpu = process.cpuUsage(cpuBefore);
      const activitiesRun = WORKFLOWS * PER_WORKFLOW;
      samples[config].push({
        perSecond: activitiesRun / seconds,
        cpuMsPerActivity: (cpu.user + cpu.system) / 1000 / activitiesRun,
        rssMb: peakRss / 2 ** 20,
      });
    }
  }
  useSdk(false);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const spread = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${sorted[0]!.toFixed(2)} / ${median(sorted).toFixed(2)} / ${sorted.at(-1)!.toFixed(2)}`;
  };
  const bare = median(samples.bare.map((s) => s.perSecond));
  const bareCpu = median(samples.bare.map((s) => s.cpuMsPerActivity));
  return (Object.keys(samples) as Config[]).map((config) => {
    const perSecond = median(samples[config].map((s) => s.perSecond));
    const cpu = samples[config].map((s) => s.cpuMsPerActivity);
    return {
      worker: config,
      rounds,
      'activities/s (median)': perSecond,
      'throughput / bare': perSecond / bare,
      'CPU ms / activity (min/med/max)': spread(cpu),
      'CPU / bare (median)': median(cpu) / bareCpu,
      'peak RSS MB': Math.max(...samples[config].map((s) => s.rssMb)),
      ...(config === 'toolkit'
        ? { 'bar (CPU <= 1.10 x bare)': median(cpu) / bareCpu <= 1.1 ? 'met' : 'NOT met' }
        : {}),
    };
  });
}
