import { describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Info } from '@temporalio/activity';
import { OpenTelemetryAttemptTelemetry } from '../../interceptors/open-telemetry';
import { METRICS } from '../../src/telemetry-names';

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const reader = new CollectingReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

async function gauge(name: string): Promise<Array<{ attributes: Record<string, unknown>; value: number }>> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints as Array<{ attributes: Record<string, unknown>; value: number }>);
}

const info = {
  workflowType: 'outreach',
  activityType: 'send',
  activityId: '1',
  attempt: 1,
} as unknown as Info;
const attempt = { attempt: 1, activityId: '1', activityType: 'send', toolKey: 'mail', startedAt: '' };

async function counter(name: string): Promise<number> {
  return (await gauge(name)).reduce((n, p) => n + p.value, 0);
}

describe('stall and hold gauges (injected clock)', () => {
  it('measures time without progress from the start, resets it on a heartbeat, and reads 0 once the attempt ended', async () => {
    let now = 1_000_000;
    const telemetry = new OpenTelemetryAttemptTelemetry(
      () => ({}),
      () => Promise.resolve({}),
      () => now,
    );
    const observation = telemetry.startAttempt(info, attempt, {
      records: [],
      dropped: 0,
      cost: { usd: 0, inputTokens: 0, outputTokens: 0 },
    });
    now += 400_000;
    const labels = { 'temporal_resilience.tool': 'mail', 'temporal.workflow.type': 'outreach' };
    expect(await gauge(METRICS.attemptIdle)).toEqual([
      expect.objectContaining({ attributes: labels, value: 400 }),
    ]);
    expect(await gauge(METRICS.attemptsRunning)).toEqual([expect.objectContaining({ value: 1 })]);
    observation.progressed();
    now += 30_000;
    expect((await gauge(METRICS.attemptIdle))[0]!.value).toBe(30);
    observation.ended({ ...attempt, outcome: 'completed' }, undefined, 'closed');
    // Ended: the series reads 0 (not its last value, which would keep a stall alert firing).
    expect(await gauge(METRICS.attemptIdle)).toEqual([
      expect.objectContaining({ attributes: labels, value: 0 }),
    ]);
    expect(await gauge(METRICS.attemptsRunning)).toEqual([expect.objectContaining({ value: 0 })]);
  });

  it('reports how long each tool stays held, 0 when not held', async () => {
    const now = 5_000_000;
    const telemetry = new OpenTelemetryAttemptTelemetry(
      () => ({}),
      () =>
        Promise.resolve({
          llm: {
            circuit: 'closed' as const,
            inFlight: 0,
            concurrencyLimit: 1,
            waiting: 0,
            resendBudget: 10,
            heldUntilMs: now + 10_800_000,
            holdReason: 'quota',
          },
          search: {
            circuit: 'closed' as const,
            inFlight: 0,
            concurrencyLimit: 1,
            waiting: 0,
            resendBudget: 10,
          },
        }),
      () => now,
    );
    telemetry.startAttempt(info, attempt, {
      records: [],
      dropped: 0,
      cost: { usd: 0, inputTokens: 0, outputTokens: 0 },
    });
    const holds = await gauge(METRICS.holdRemaining);
    expect(holds.map((h) => [h.attributes['temporal_resilience.tool'], h.value])).toEqual(
      expect.arrayContaining([
        ['llm', 10_800],
        ['search', 0],
      ]),
    );
  });

  it('counts a hold when a call met a STOP, not when the hold (or a spent budget) refused an attempt', async () => {
    const telemetry = new OpenTelemetryAttemptTelemetry(() => ({}));
    const empty = { records: [], dropped: 0, cost: { usd: 0, inputTokens: 0, outputTokens: 0 } };
    const stop = {
      kind: 'stop' as const,
      reason: 'quota-exhausted',
      failureType: 'QuotaExhausted',
      nonRetryable: true,
      benign: false,
      attempt: 1,
      status: 429,
    } as unknown as Parameters<ReturnType<typeof telemetry.startAttempt>['ended']>[1];
    const before = await counter(METRICS.holds);
    telemetry.startAttempt(info, attempt, empty).ended({ ...attempt, outcome: 'failed' }, stop, 'closed');
    telemetry.startAttempt(info, attempt, empty).ended({ ...attempt, outcome: 'refused' }, stop, 'closed');
    expect((await counter(METRICS.holds)) - before).toBe(1);
    expect(await counter(METRICS.rateLimited)).toBeGreaterThanOrEqual(1);
  });
});
