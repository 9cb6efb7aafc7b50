import { describe, expect, it } from 'vitest';
import { isInvalidOptionsError } from '../../src/errors/invalid-options-error';
import { assertAfterOpenTelemetryPlugins } from '../../interceptors/plugin-order';

describe('assertAfterOpenTelemetryPlugins', () => {
  const self = { name: 'temporal-resilience' };
  const otel = { name: 'OpenTelemetryPlugin' };
  const other = { name: 'some-other-plugin' };

  it.each([
    ['alone', [self]],
    ['after OpenTelemetry', [otel, self]],
    ['before an unrelated plugin', [otel, self, other]],
    ['not in the list (interceptors set by hand)', [otel]],
    ['no plugins at all', undefined],
  ])('accepts the toolkit %s', (_, plugins) => {
    expect(() => assertAfterOpenTelemetryPlugins(plugins, self)).not.toThrow();
  });

  it('refuses the toolkit before an OpenTelemetry plugin, naming the option and the fix', () => {
    let error: unknown;
    try {
      assertAfterOpenTelemetryPlugins([other, self, otel], self);
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionsError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Invalid option plugins: OpenTelemetryPlugin is registered after temporal-resilience, so every attempt span ' +
        'would start a trace of its own; register it first: ' +
        'plugins: [new OpenTelemetryPlugin(...), resiliencePlugin(...)]',
    );
  });
});
