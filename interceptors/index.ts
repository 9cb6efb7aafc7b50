/**
 * @module temporal-resilience/interceptors
 *
 * Worker-side (Node) code: the activity interceptor, the per-tool shared state and the plugin.
 */
export { resiliencePlugin, createResilienceInterceptors } from './plugin';
export type { ResiliencePlugin, ResilienceInterceptors, ResilienceSharedState } from './plugin';
export { InMemorySpendTally, executionKey } from './spend-tally';
export type { SpendTally, InMemorySpendTallyOptions } from './spend-tally';
export { ChainPayloadCodec } from './chain-payload-codec';
export { validateResilienceOptions } from './resilience-options';
export type { ResilienceOptions } from './resilience-options';
export { ResilienceActivityInboundInterceptor } from './resilience-activity-inbound-interceptor';
export { ToolRegistry, DEFAULT_REGISTRY_BOUNDS } from './tool-registry';
export { ToolLimiter, DEFAULT_TOOL_LIMITS } from './tool-limiter';
export type { ToolLimitOptions, ToolLimiterState, ToolPermit, ToolRefusal } from './tool-limiter';
export { BoundedRegistry } from './bounded-registry';
export type { BoundedRegistryOptions } from './bounded-registry';
export { toApplicationFailure } from './failure-mapping';
export { ToolCircuit, DEFAULT_CIRCUIT } from './tool-circuit';
export type { CircuitOptions, CircuitState, CircuitStateChange, CircuitSnapshot } from './tool-circuit';
export type { ToolState } from './tool-registry';
export type { AttemptTelemetry } from './attempt-telemetry';
