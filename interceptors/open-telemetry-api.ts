/**
 * @module temporal-resilience/interceptors/open-telemetry-api
 *
 * `@opentelemetry/api` is an optional peer: apps without OpenTelemetry must be able to load every entry point. So it
 * is never imported at module load; it is required the first time the worker asks for it, and a missing package turns
 * the OpenTelemetry telemetry off instead of failing. Code that reports through the API imports the stand-ins below,
 * which forward to the real API once it is loaded.
 */
import type * as OpenTelemetryApi from '@opentelemetry/api';

/** The shape of the `@opentelemetry/api` module. */
export type OpenTelemetryApiModule = typeof OpenTelemetryApi;

const PACKAGE = '@opentelemetry/api';
let loaded: OpenTelemetryApiModule | null | undefined;

/**
 * The app's `@opentelemetry/api`, required on first call; `undefined` when it is not installed.
 * Any other failure to load it (a broken install) is thrown: silence would hide it.
 */
export function loadOpenTelemetryApi(): OpenTelemetryApiModule | undefined {
  if (loaded === undefined) {
    try {
      // A plain require, on purpose: an import would load the package when this module loads.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(PACKAGE) as OpenTelemetryApiModule;
    } catch (error) {
      if (!isModuleNotFound(error)) throw error;
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** Whether `@opentelemetry/api` can be loaded in this process (loading it, on the first call). */
export function isOpenTelemetryInstalled(): boolean {
  return loadOpenTelemetryApi() !== undefined;
}

function isModuleNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${PACKAGE}'`)
  );
}

type Member = 'context' | 'metrics' | 'trace' | 'SpanKind' | 'SpanStatusCode';

/** A stand-in for one export of the API that loads the API when first touched. */
function lazy<K extends Member>(name: K): OpenTelemetryApiModule[K] {
  // The API's members are singletons: each property is looked up (and bound) once, not on every attempt.
  const members = new Map<PropertyKey, unknown>();
  return new Proxy({} as OpenTelemetryApiModule[K] & object, {
    get(_, property) {
      if (members.has(property)) return members.get(property);
      const api = loadOpenTelemetryApi();
      if (!api) {
        throw new Error(
          `temporal-resilience: ${PACKAGE} is not installed, so ${name}.${String(property)} is unavailable; ` +
            `install it (npm i ${PACKAGE}) to record spans and metrics`,
        );
      }
      const target = api[name] as object;
      const value: unknown = Reflect.get(target, property);
      const member =
        typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      members.set(property, member);
      return member;
    },
  });
}

/** `@opentelemetry/api`'s `context`, loaded on first use. */
export const context = lazy('context');
/** `@opentelemetry/api`'s `metrics`, loaded on first use. */
export const metrics = lazy('metrics');
/** `@opentelemetry/api`'s `trace`, loaded on first use. */
export const trace = lazy('trace');
/** `@opentelemetry/api`'s `SpanKind`, loaded on first use. */
export const SpanKind = lazy('SpanKind');
/** `@opentelemetry/api`'s `SpanStatusCode`, loaded on first use. */
export const SpanStatusCode = lazy('SpanStatusCode');
