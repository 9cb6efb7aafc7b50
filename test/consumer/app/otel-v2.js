// OpenTelemetry JS 2.x set up as its docs say, with Temporal's plugin for 2.x, exporting through OTLP/HTTP to
// OTLP_TRACES_URL. run-worker.js registers `plugins` before the toolkit's and calls `finish()` after the workflow.
const { context, propagation, trace } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} = require('@opentelemetry/sdk-trace-base');
const { OpenTelemetryPlugin } = require('@temporalio/interceptors-opentelemetry-v2');

const memory = new InMemorySpanExporter();
const parts = [
  new BatchSpanProcessor(new OTLPTraceExporter({ url: process.env.OTLP_TRACES_URL })),
  new SimpleSpanProcessor(memory),
];
// One processor for both the worker's spans and the workflow spans the plugin exports through its sink.
const spanProcessor = {
  onStart: (span, parent) => parts.forEach((p) => p.onStart(span, parent)),
  onEnd: (span) => parts.forEach((p) => p.onEnd(span)),
  forceFlush: () => Promise.all(parts.map((p) => p.forceFlush())).then(() => undefined),
  shutdown: () => Promise.all(parts.map((p) => p.shutdown())).then(() => undefined),
};

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [spanProcessor] }));

module.exports = {
  plugins: [
    new OpenTelemetryPlugin({
      resource: resourceFromAttributes({ 'service.name': 'consumer' }),
      spanProcessor,
    }),
  ],
  /** Flushes every span to the collector; returns the finished spans as the collector should have received them. */
  async finish() {
    await spanProcessor.forceFlush();
    return memory.getFinishedSpans().map((s) => {
      const parent = s.parentSpanContext?.spanId ?? s.parentSpanId;
      return {
        traceId: s.spanContext().traceId,
        spanId: s.spanContext().spanId,
        ...(parent ? { parentSpanId: parent } : {}),
        name: s.name,
      };
    });
  },
};
