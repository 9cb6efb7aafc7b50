import { describe, expect, it } from 'vitest';
import * as api from '@opentelemetry/api';
import {
  context,
  isOpenTelemetryInstalled,
  loadOpenTelemetryApi,
  SpanKind,
  SpanStatusCode,
  trace,
} from '../../interceptors/open-telemetry-api';

// Without the package (test/consumer installs an app without it) the worker leaves OpenTelemetry off; here, with it,
// the stand-ins must behave exactly as the real API.
describe('the lazily loaded @opentelemetry/api', () => {
  it('loads the installed package', () => {
    expect(isOpenTelemetryInstalled()).toBe(true);
    expect(loadOpenTelemetryApi()?.trace).toBe(api.trace);
  });

  it('forwards values and calls to the real API', () => {
    expect(SpanKind.INTERNAL).toBe(api.SpanKind.INTERNAL);
    expect(SpanStatusCode.ERROR).toBe(api.SpanStatusCode.ERROR);
    expect(context.active()).toBe(api.context.active());
    const span = trace.getTracer('test').startSpan('x');
    expect(trace.getSpan(trace.setSpan(context.active(), span))).toBe(span);
    expect(context.with(trace.setSpan(context.active(), span), () => 42)).toBe(42);
    span.end();
  });
});
