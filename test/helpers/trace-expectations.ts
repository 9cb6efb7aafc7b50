import { expect } from 'vitest';
import type { CollectedSpan } from './otlp-collector';

/**
 * What a worker with Temporal's OpenTelemetry plugin and the toolkit must deliver for one workflow whose activity ran
 * `attempts` times: every span it finished reached the collector (same span ids, none lost in a batch), all in one
 * trace, and each toolkit attempt span a child of an OpenTelemetry `RunActivity` span.
 */
export function expectOneTraceWithEveryAttempt(
  collected: readonly CollectedSpan[],
  finished: readonly CollectedSpan[],
  attemptSpanName: string,
  attempts: number,
): void {
  expect(finished.length).toBeGreaterThan(0);
  expect(collected.map((s) => s.spanId).sort()).toEqual(finished.map((s) => s.spanId).sort());
  expect(new Set(collected.map((s) => s.traceId)).size).toBe(1);
  const attemptSpans = collected.filter((s) => s.name === attemptSpanName);
  expect(attemptSpans).toHaveLength(attempts);
  const runActivity = collected.filter((s) => s.name.startsWith('RunActivity'));
  expect(runActivity).toHaveLength(attempts);
  for (const attempt of attemptSpans) {
    expect(collected.find((s) => s.spanId === attempt.parentSpanId)?.name).toMatch(/^RunActivity/);
  }
  expect(collected.some((s) => s.name.startsWith('RunWorkflow'))).toBe(true);
}
