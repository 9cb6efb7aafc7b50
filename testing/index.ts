/**
 * @module temporal-resilience/testing
 *
 * Test helpers for Node test processes (never the workflow sandbox): real Temporal servers found without the
 * SDK's run-time download, and a scriptable fake provider to reproduce incidents against.
 */
export { createTimeSkippingEnv, createDevServerEnv } from './environments';
export type { ServerResolutionOptions, TimeSkippingEnvOptions, DevServerEnvOptions } from './environments';
export { resolveServerExecutable, SERVER_EXECUTABLES } from './server-binaries';
export type { ServerKind, ResolvedExecutable, ResolveResult } from './server-binaries';
export { TemporalServerNotFoundError, isTemporalServerNotFoundError } from './server-not-found-error';
export { FakeProvider } from './fake-provider';
export type {
  FakeProviderOptions,
  RouteOptions,
  ScriptedResponse,
  RecordedRequest,
  RespondContext,
} from './fake-provider';
export { withTimeSkipping } from './time-skipping';
