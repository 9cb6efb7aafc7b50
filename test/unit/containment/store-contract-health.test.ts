// A shared store's degraded mode is visible: one warning per episode in the worker's log and a gauge.
import { describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { LogEntry } from '@temporalio/worker';
import { STORE_DEGRADED_METRIC, watchStoreHealth } from '../../../interceptors/containment/store-health';
import { redisStore } from '../../../interceptors/containment/redis-store';
import { initialToolState } from '../../../src/containment/tool-state';
import { toolSettingsOf } from '../../../interceptors/containment/tool-options';

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
const reader = new CollectingReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
const logs: LogEntry[] = [];
globalThis.capturedLogs = logs; // test/setup.ts copies every log entry here

async function degradedGauge(): Promise<number[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === STORE_DEGRADED_METRIC)
    .flatMap((m) => (m.dataPoints as Array<{ value: number }>).map((p) => p.value));
}

describe('store health', () => {
  it('warns once and reports 1 while Redis does not answer, however many calls fail', async () => {
    // Nothing listens on port 1: every call fails, the first one turns the store degraded.
    const store = redisStore({ url: 'redis://127.0.0.1:1', callTimeoutMs: 50, retryMs: 0 });
    const unwatch = watchStoreHealth(store, true);
    try {
      expect(await degradedGauge()).toEqual([0]);
      const settings = toolSettingsOf({}, 60_000);
      for (let i = 0; i < 5; i++) {
        await store.update(
          'llm',
          () => initialToolState(settings, Date.now()),
          (s) => ({ state: s, result: undefined }),
        );
      }
      expect(store.degraded).toBe(true);
      expect(await degradedGauge()).toEqual([1]);
      const warnings = logs.filter((l) => l.level === 'WARN' && l.message.includes('governor store'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toContain('runs on its share of the configured limits');
    } finally {
      unwatch();
      await store.close();
    }
  });
});
