/**
 * @module temporal-resilience/interceptors/plugin-order
 *
 * Worker (Node). The SDK nests activity interceptors in the order plugins register them, the first outermost. The
 * toolkit's attempt span is a child of the active span, so it must run inside OpenTelemetry's `RunActivity` span;
 * registered before Temporal's OpenTelemetry plugin, every attempt would start a trace of its own, silently. The
 * order is checked when the worker is configured instead.
 */
import { InvalidOptionsError } from '../src/errors/invalid-options-error';

/** Plugin names of `@temporalio/interceptors-opentelemetry` and `-v2`, and other OpenTelemetry plugins. */
const OPEN_TELEMETRY_PLUGIN = /opentelemetry/i;

/**
 * Throws when an OpenTelemetry plugin comes after `self` in the worker's `plugins`, saying how to reorder them.
 *
 * @throws {@link InvalidOptionsError} with option `plugins`.
 */
export function assertAfterOpenTelemetryPlugins(
  plugins: readonly { readonly name?: string }[] | undefined,
  self: object,
): void {
  const own = plugins?.indexOf(self as { name?: string }) ?? -1;
  if (!plugins || own < 0) return;
  const later = plugins.slice(own + 1).find((p) => OPEN_TELEMETRY_PLUGIN.test(p?.name ?? ''));
  if (!later) return;
  throw new InvalidOptionsError(
    'plugins',
    `${later.name} is registered after temporal-resilience, so every attempt span would start a trace of its own; ` +
      `register it first: plugins: [new OpenTelemetryPlugin(...), resiliencePlugin(...)]`,
  );
}
