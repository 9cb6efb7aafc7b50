import { circuitAt, type CircuitStateName } from '../../src/containment/circuit';
import { liveLeases, slotsOf, type ToolState } from '../../src/containment/tool-state';
import { MemoryGovernorStore, type GovernorStore } from './governor-store';
import { isSharedGovernorStore } from './shared-store';
import { currentTenant, splitToolKey, tenantToolKey } from './tenant-scope';
import { toolSettingsOf, type ToolOptions } from './tool-options';
import { ToolGovernor, type CircuitStateChange } from './tool-governor';

/** Options of {@link GovernorRegistry}. */
export interface GovernorRegistryOptions {
  readonly tools?: Readonly<Record<string, ToolOptions>>;
  readonly defaultToolLimits?: ToolOptions;
  /** Longest quota hold before one probe goes. */
  readonly quotaHoldMs: number;
  readonly store?: GovernorStore;
  readonly maxTools?: number;
  readonly toolIdleMs?: number;
  readonly onStateChange?: (change: CircuitStateChange) => void;
  /**
   * Workers expected to share `store`: while it is degraded, each worker's limits are the configured ones divided
   * by this. @default 1
   */
  readonly expectedWorkers?: number;
  /** Scope tool keys by the running attempt's tenant (see `tenant-scope.ts`). @default false */
  readonly tenantScoped?: boolean;
  /** How often waiters re-check a shared store's state. @default 250 */
  readonly recheckMs?: number;
}

/** A tool's containment at a glance, for health endpoints, `toolStates()` and the CLI. */
export interface ToolStatus {
  readonly circuit: ToolState['circuit']['name'];
  /** When an open circuit lets its next probe through (epoch ms). */
  readonly probeAtMs?: number;
  readonly concurrencyLimit: number;
  readonly inFlight: number;
  /** Attempts waiting in this worker. */
  readonly waiting: number;
  readonly pausedUntilMs?: number;
  readonly pauseReason?: string;
  readonly heldUntilMs?: number;
  readonly holdReason?: string;
  /** Local re-sends left in the budget. */
  readonly resendBudget: number;
  /** With a shared store: true while it does not answer and this worker runs on local state (its share of limits). */
  readonly degraded?: boolean;
}

/**
 * The worker's per-tool governors: one {@link ToolGovernor} per tool key, shared by every concurrent activity
 * execution in the worker, all over one {@link GovernorStore}. A governor with nothing in flight or waiting may be
 * dropped and made again: its state lives in the store, not in the object.
 */
export class GovernorRegistry {
  readonly store: GovernorStore;
  private readonly governors = new Map<string, ToolGovernor>();
  private readonly unsubscribe: (() => void) | undefined;

  constructor(private readonly options: GovernorRegistryOptions) {
    this.store =
      options.store ??
      new MemoryGovernorStore({
        ...(options.maxTools !== undefined ? { maxTools: options.maxTools } : {}),
        ...(options.toolIdleMs !== undefined ? { toolIdleMs: options.toolIdleMs } : {}),
      });
    // Another worker released a lease or ended a hold: this worker's waiters for that tool re-check now.
    if (isSharedGovernorStore(this.store)) {
      this.unsubscribe = this.store.subscribe((toolKey) => this.governors.get(toolKey)?.wake());
    }
  }

  /**
   * The governor of a tool, made with its configured options on first use. With tenant scoping, the running
   * attempt's tenant is part of the key, so each tenant has its own state.
   */
  governorFor(toolKey: string): ToolGovernor {
    const key = this.options.tenantScoped ? tenantToolKey(toolKey, currentTenant()) : toolKey;
    const existing = this.governors.get(key);
    if (existing) return existing;
    const options = this.optionsFor(key);
    const onStateChange = this.options.onStateChange;
    const governor = new ToolGovernor(
      key,
      toolSettingsOf(options, this.options.quotaHoldMs),
      this.store,
      onStateChange && ((change) => onStateChange({ ...change, ...splitToolKey(change.toolKey) })),
      undefined,
      isSharedGovernorStore(this.store)
        ? {
            localSettings: toolSettingsOf(
              shareOf(options, this.options.expectedWorkers ?? 1),
              this.options.quotaHoldMs,
            ),
            ...(this.options.recheckMs !== undefined ? { recheckMs: this.options.recheckMs } : {}),
          }
        : {},
    );
    this.governors.set(key, governor);
    this.forgetIdle();
    return governor;
  }

  /** The options that apply to a tool (a tenant-scoped key uses its tool's options). */
  optionsFor(toolKey: string): ToolOptions {
    const base = splitToolKey(toolKey).toolKey;
    return this.options.tools?.[base] ?? this.options.defaultToolLimits ?? {};
  }

  /** Every known tool's containment (tenant-scoped keys in full), for health endpoints, admin calls and the CLI. */
  async toolStates(nowMs: number = Date.now()): Promise<Record<string, ToolStatus>> {
    const out: Record<string, ToolStatus> = {};
    const shared = isSharedGovernorStore(this.store);
    for (const [key, state] of await this.store.entries()) {
      const status = statusOf(state, this.governors.get(key)?.waiting ?? 0, nowMs);
      out[key] = shared ? { ...status, degraded: this.degraded } : status;
    }
    return out;
  }

  /**
   * {@link toolStates} by tool key without the tenant part, for metrics (a tenant never becomes a metric
   * attribute): per tool, the status of the tenant held longest.
   */
  async toolStatesForMetrics(nowMs: number = Date.now()): Promise<Record<string, ToolStatus>> {
    const out: Record<string, ToolStatus> = {};
    for (const [key, status] of Object.entries(await this.toolStates(nowMs))) {
      const tool = splitToolKey(key).toolKey;
      const seen = out[tool];
      out[tool] = !seen || (status.heldUntilMs ?? 0) > (seen.heldUntilMs ?? 0) ? status : seen;
    }
    return out;
  }

  /** True while the shared store does not answer and this worker runs on local state; false for a local store. */
  get degraded(): boolean {
    return isSharedGovernorStore(this.store) && this.store.degraded;
  }

  /**
   * Each tool's circuit as this worker last saw it (synchronous: for metric gauges and health checks), by tool key
   * without the tenant part: the most open state among the tool's tenants.
   */
  circuitStates(): Record<string, CircuitStateName> {
    const out: Record<string, CircuitStateName> = {};
    for (const [key, governor] of this.governors) {
      const tool = splitToolKey(key).toolKey;
      const seen = out[tool];
      if (!seen || CIRCUIT_SEVERITY[governor.circuitName] > CIRCUIT_SEVERITY[seen])
        out[tool] = governor.circuitName;
    }
    return out;
  }

  /** Operator: ends a tool's quota hold and pause now. */
  async release(toolKey: string): Promise<void> {
    await this.governorFor(toolKey).release();
  }

  /** Governors held now (runtime objects; the store may hold more states). */
  get size(): number {
    return this.governors.size;
  }

  /** Turns every waiting attempt back to the server and stops timers (worker shutdown). */
  shutdown(): void {
    this.unsubscribe?.();
    for (const governor of this.governors.values()) governor.shutdown();
  }

  private forgetIdle(): void {
    const max = this.options.maxTools ?? 1_000;
    if (this.governors.size <= max) return;
    for (const [key, governor] of this.governors) {
      if (this.governors.size <= max) return;
      if (!governor.busy) this.governors.delete(key);
    }
  }
}

const CIRCUIT_SEVERITY: Record<CircuitStateName, number> = {
  disabled: 0,
  closed: 0,
  'half-open': 1,
  open: 2,
  'forced-open': 3,
};

/**
 * One worker's share of a tool's configured limits (concurrency, request and token rates divided by the workers
 * expected), used while the shared store is degraded so the fleet stays near the configured limits.
 */
export function shareOf(options: ToolOptions, workers: number): ToolOptions {
  if (!(workers > 1)) return options;
  const slots = (n: number | undefined) =>
    n === undefined ? undefined : Math.max(1, Math.floor(n / workers));
  const maxConcurrency = slots(options.maxConcurrency);
  const initialConcurrency = slots(options.initialConcurrency);
  return {
    ...options,
    ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
    ...(initialConcurrency !== undefined ? { initialConcurrency } : {}),
    ...(options.requestsPerSecond !== undefined
      ? { requestsPerSecond: options.requestsPerSecond / workers }
      : {}),
    ...(options.tokensPerMinute !== undefined ? { tokensPerMinute: options.tokensPerMinute / workers } : {}),
  };
}

/** A status from a stored state. */
export function statusOf(state: ToolState, waiting: number, nowMs: number): ToolStatus {
  const circuit = circuitAt(state.circuit, nowMs);
  return {
    circuit: circuit.name,
    ...(circuit.name === 'open' ? { probeAtMs: circuit.probeAtMs } : {}),
    concurrencyLimit: state.limit.value === Infinity ? Infinity : slotsOf(state),
    inFlight: liveLeases(state, nowMs),
    waiting,
    ...(state.pause && state.pause.untilMs > nowMs
      ? { pausedUntilMs: state.pause.untilMs, pauseReason: state.pause.reason }
      : {}),
    ...(state.hold ? { heldUntilMs: state.hold.untilMs, holdReason: state.hold.reason } : {}),
    resendBudget: state.resendBudget,
  };
}
