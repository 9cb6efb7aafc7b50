import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { isInvalidOptionsError, resiliencePlugin, SPANS } from '../../index';
import { createTimeSkippingEnv, FakeProvider, withTimeSkipping } from '../../testing';
import type { LlmCallInput } from '../../examples/workflows/llm-call';
import { OtlpCollector, type CollectedSpan } from '../helpers/otlp-collector';
import { expectOneTraceWithEveryAttempt } from '../helpers/trace-expectations';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

// OpenTelemetry JS 1.x with @temporalio/interceptors-opentelemetry, the repository's own pins. The 2.x line and the
// app without OpenTelemetry are covered by the consumer test (test/consumer), in an app installed from the registry.

/** Both processors see every span: the in-memory one says what was finished, the OTLP one what was exported. */
class BothProcessors implements SpanProcessor {
  constructor(private readonly parts: SpanProcessor[]) {}
  onStart(span: Span, parent: Context): void {
    for (const p of this.parts) p.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.parts) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.shutdown()));
  }
}

const collected = (s: ReadableSpan): CollectedSpan => ({
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
  name: s.name,
});

describe('OpenTelemetry JS 1.x through a real OTLP/HTTP exporter', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;
  let collector: OtlpCollector;
  let memory: InMemorySpanExporter;
  let processor: BothProcessors;

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    memory = new InMemorySpanExporter();
    processor = new BothProcessors([
      new BatchSpanProcessor(new OTLPTraceExporter({ url: collector.tracesUrl })),
      new SimpleSpanProcessor(memory),
    ]);
    const tracerProvider = new BasicTracerProvider();
    tracerProvider.addSpanProcessor(processor);
    // What NodeSDK.start() registers: the W3C propagator carries the trace from workflow to activity.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
    env = await createTimeSkippingEnv();
    provider = await FakeProvider.start();
  });
  afterAll(async () => {
    await provider?.close();
    await env?.teardown();
    await collector?.close();
  });

  const otelPlugin = () =>
    new OpenTelemetryPlugin({
      resource: new Resource({ 'service.name': 'otlp-test' }),
      spanProcessor: processor,
    });

  it('exports every span, the attempts inside RunActivity in the workflow trace', async () => {
    provider.route('/otlp/v1/chat', {
      script: [{ status: 503 }, { status: 503 }],
      then: { status: 200, body: { text: 'hello', usage: { input_tokens: 1, output_tokens: 1 } } },
    });
    const taskQueue = uniqueTaskQueue('otlp');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [otelPlugin(), resiliencePlugin()] });
    const input: LlmCallInput = { baseUrl: provider.url('/otlp'), prompt: 'hi' };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('llmCallWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [input],
      });
      await withTimeSkipping(env, (client) => client.result(handle.workflowId));
    });
    await processor.forceFlush();

    expect(collector.rejected).toBe(0);
    expectOneTraceWithEveryAttempt(
      collector.spans,
      memory.getFinishedSpans().map(collected),
      `${SPANS.attempt} chat`,
      3,
    );
  });

  it('fails at worker creation, saying the fix, when the toolkit is registered before OpenTelemetry', async () => {
    const error: unknown = await createExampleWorker(env, uniqueTaskQueue('otlp-order'), {
      plugins: [resiliencePlugin(), otelPlugin()],
    }).catch((e: unknown) => e);
    expect(isInvalidOptionsError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /Invalid option plugins: OpenTelemetryPlugin is registered after temporal-resilience.*register it first: plugins: \[new OpenTelemetryPlugin\(\.\.\.\), resiliencePlugin\(\.\.\.\)\]/,
    );
  });
});
