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
export { GovernorRegistry, statusOf } from './containment/governor-registry';
export type { GovernorRegistryOptions, ToolStatus } from './containment/governor-registry';
export { MemoryGovernorStore } from './containment/governor-store';
export type { GovernorStore, MemoryGovernorStoreOptions } from './containment/governor-store';
export { ToolGovernor, WaitCancelledError } from './containment/tool-governor';
export type { AcquireRequest, CircuitStateChange, Permit, Refusal } from './containment/tool-governor';
export { DEFAULT_TOOL_OPTIONS, toolSettingsOf } from './containment/tool-options';
export type { CircuitOptions, ToolOptions } from './containment/tool-options';
export { toApplicationFailure } from './failure-mapping';
export type { AttemptTelemetry } from './attempt-telemetry';
export { redisStore, RedisGovernorStore } from './containment/redis-store';
export type { RedisStoreOptions } from './containment/redis-store';
export { RedisSpendTally, DEFAULT_SPEND_TTL_MS } from './containment/redis-spend-tally';
export type { RedisSpendTallyOptions } from './containment/redis-spend-tally';
export { isSharedGovernorStore } from './containment/shared-store';
export type { SharedGovernorStore } from './containment/shared-store';
export { StoreUnavailableError, isStoreUnavailableError } from './containment/store-unavailable-error';
export { listToolStates, releaseTool } from './containment/tool-admin';
export { splitToolKey, tenantToolKey } from './containment/tenant-scope';
export type { TenantOf } from './containment/tenant-scope';
