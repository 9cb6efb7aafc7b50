import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerPlugin } from '@temporalio/worker';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { ATTRIBUTES, METRICS, resiliencePlugin, SPANS, type ResilienceOptions } from '../../index';
import { createTimeSkippingEnv, FakeProvider, withTimeSkipping } from '../../testing';
import { REFERENCE_MODEL } from '../../examples/activities';
import type { LlmCallInput } from '../../examples/workflows/llm-call';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter();
const spanProcessor = new SimpleSpanProcessor(exporter);
const tracerProvider = new BasicTracerProvider();
tracerProvider.addSpanProcessor(spanProcessor);
const reader = new CollectingReader();
const meterProvider = new MeterProvider({ readers: [reader] });

const options: ResilienceOptions = {
  prices: { [REFERENCE_MODEL]: { inputPerMillion: 100, outputPerMillion: 200 } },
};
const usage = { input_tokens: 2000, output_tokens: 1000 };
const SECRET = 'sk-live-TOPSECRET1234567890';

function metricPoints(collected: ResourceMetrics, name: string) {
  return collected.scopeMetrics
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>);
}

describe('OpenTelemetry spans and metrics on the real time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => {
    // What @opentelemetry/sdk-node's NodeSDK.start() registers: a context manager and the W3C propagator, which
    // @temporalio/interceptors-opentelemetry needs to carry the trace from workflow to activity.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
    env = await createTimeSkippingEnv();
    provider = await FakeProvider.start();
  });
  afterAll(async () => {
    await provider?.close();
    await env?.teardown();
  });
  beforeEach(() => exporter.reset());

  async function runLlm(route: string, plugins: WorkerPlugin[]) {
    provider.route(`${route}/v1/chat`, {
      script: [
        { status: 503, body: { error: `overloaded, key ${SECRET}`, usage } },
        { status: 503, headers: { authorization: `Bearer ${SECRET}` }, body: { usage } },
      ],
      then: { status: 200, body: { text: 'hello', usage } },
    });
    const taskQueue = uniqueTaskQueue('otel');
    const worker = await createExampleWorker(env, taskQueue, { plugins });
    const input: LlmCallInput = { baseUrl: provider.url(route), prompt: 'hi' };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('llmCallWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [input],
      });
      await withTimeSkipping(env, (client) => client.result(handle.workflowId));
    });
    await spanProcessor.forceFlush();
    return { taskQueue, spans: exporter.getFinishedSpans() };
  }

  const attemptSpans = (spans: ReadableSpan[]) =>
    spans
      .filter((s) => s.name === `${SPANS.attempt} chat`)
      .sort((a, b) => Number(a.attributes[ATTRIBUTES.attempt]) - Number(b.attributes[ATTRIBUTES.attempt]));

  it('records a span per attempt with ids, classification, delays and cost, and metrics by class and tool', async () => {
    const { taskQueue, spans } = await runLlm('/otel', [resiliencePlugin(options)]);
    const attempts = attemptSpans(spans);
    expect(attempts.map((s) => s.attributes[ATTRIBUTES.attempt])).toEqual([1, 2, 3]);
    const [first, second, third] = attempts;
    expect(first!.attributes).toMatchObject({
      [ATTRIBUTES.workflowId]: taskQueue,
      [ATTRIBUTES.workflowType]: 'llmCallWorkflow',
      [ATTRIBUTES.activityType]: 'chat',
      [ATTRIBUTES.activityId]: '1',
      [ATTRIBUTES.toolKey]: 'chat',
      [ATTRIBUTES.step]: 'chat#1',
      [ATTRIBUTES.kind]: 'retry',
      [ATTRIBUTES.reason]: 'http-503',
      [ATTRIBUTES.errorType]: 'TransientFailure',
      [ATTRIBUTES.httpStatus]: 503,
      [ATTRIBUTES.circuitState]: 'closed',
      [ATTRIBUTES.outcome]: 'failed',
      [ATTRIBUTES.costUsd]: 0.4,
      [ATTRIBUTES.inputTokens]: 2000,
      [ATTRIBUTES.outputTokens]: 1000,
      [ATTRIBUTES.model]: REFERENCE_MODEL,
    });
    expect(typeof first!.attributes[ATTRIBUTES.runId]).toBe('string');
    expect(first!.attributes[ATTRIBUTES.idempotencyKey]).toBe(third!.attributes[ATTRIBUTES.idempotencyKey]);
    expect(first!.attributes[ATTRIBUTES.delayMs]).toBeGreaterThan(0);
    expect(typeof first!.attributes[ATTRIBUTES.nextNotBefore]).toBe('string');
    expect(first!.events.map((e) => e.name)).toEqual([
      SPANS.attemptStarted,
      SPANS.costRecorded,
      SPANS.attemptFailed,
      SPANS.retryScheduled,
    ]);
    expect(first!.events.find((e) => e.name === SPANS.retryScheduled)!.attributes).toMatchObject({
      [ATTRIBUTES.reason]: 'http-503',
      [ATTRIBUTES.delayMs]: first!.attributes[ATTRIBUTES.delayMs],
    });
    expect(first!.status.code).toBe(2); // ERROR
    expect(second!.attributes[ATTRIBUTES.costUsd]).toBe(0.4);
    expect(third!.attributes).toMatchObject({ [ATTRIBUTES.outcome]: 'completed', [ATTRIBUTES.costUsd]: 0.4 });
    expect(third!.events.map((e) => e.name)).toContain(SPANS.attemptCompleted);
    // No secret in any attribute or event.
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.events, s.status]))).not.toContain('TOPSECRET');

    const collected = (await reader.collect()).resourceMetrics;
    const attemptsByOutcome = metricPoints(collected, METRICS.attempts).filter(
      (p) => p.attributes[ATTRIBUTES.toolKey] === 'chat',
    );
    const count = (outcome: string) =>
      attemptsByOutcome
        .filter((p) => p.attributes[ATTRIBUTES.outcome] === outcome)
        .reduce((n, p) => n + Number(p.value), 0);
    expect(count('failed')).toBeGreaterThanOrEqual(2);
    expect(count('completed')).toBeGreaterThanOrEqual(1);
    const usd = metricPoints(collected, METRICS.costUsd).reduce((n, p) => n + Number(p.value), 0);
    expect(usd).toBeGreaterThanOrEqual(1.2 - 1e-9);
    expect(metricPoints(collected, METRICS.retryDelay).length).toBeGreaterThan(0);
    expect(
      metricPoints(collected, METRICS.circuitState).some((p) => p.attributes[ATTRIBUTES.toolKey] === 'chat'),
    ).toBe(true);
  });

  it('nests under @temporalio/interceptors-opentelemetry activity spans, in the workflow trace', async () => {
    const otelPlugin = new OpenTelemetryPlugin({
      resource: new Resource({ 'service.name': 'test' }),
      spanProcessor,
    });
    const { spans } = await runLlm('/otel-nested', [otelPlugin, resiliencePlugin(options)]);
    const attempts = attemptSpans(spans);
    expect(attempts).toHaveLength(3);
    const runActivity = spans.filter((s) => s.name.startsWith('RunActivity'));
    expect(runActivity.length).toBeGreaterThanOrEqual(3);
    for (const attempt of attempts) {
      const parent = spans.find((s) => s.spanContext().spanId === attempt.parentSpanId);
      expect(parent?.name).toMatch(/^RunActivity/);
    }
    // Trace context flowed from the workflow: the attempts share the workflow's trace.
    const workflowSpan = spans.find((s) => s.name.startsWith('RunWorkflow'));
    expect(workflowSpan).toBeDefined();
    expect(new Set(attempts.map((s) => s.spanContext().traceId))).toEqual(
      new Set([workflowSpan!.spanContext().traceId]),
    );
  });
});
