import { circuitAt, type CircuitStateName } from '../../src/containment/circuit';
import { liveLeases, slotsOf, type ToolState } from '../../src/containment/tool-state';
import { MemoryGovernorStore, type GovernorStore } from './governor-store';
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
}

/**
 * The worker's per-tool governors: one {@link ToolGovernor} per tool key, shared by every concurrent activity
 * execution in the worker, all over one {@link GovernorStore}. A governor with nothing in flight or waiting may be
 * dropped and made again: its state lives in the store, not in the object.
 */
export class GovernorRegistry {
  readonly store: GovernorStore;
  private readonly governors = new Map<string, ToolGovernor>();

  constructor(private readonly options: GovernorRegistryOptions) {
    this.store =
      options.store ??
      new MemoryGovernorStore({
        ...(options.maxTools !== undefined ? { maxTools: options.maxTools } : {}),
        ...(options.toolIdleMs !== undefined ? { toolIdleMs: options.toolIdleMs } : {}),
      });
  }

  /** The governor of a tool, made with its configured options on first use. */
  governorFor(toolKey: string): ToolGovernor {
    const existing = this.governors.get(toolKey);
    if (existing) return existing;
    const options = this.options.tools?.[toolKey] ?? this.options.defaultToolLimits ?? {};
    const governor = new ToolGovernor(
      toolKey,
      toolSettingsOf(options, this.options.quotaHoldMs),
      this.store,
      this.options.onStateChange,
    );
    this.governors.set(toolKey, governor);
    this.forgetIdle();
    return governor;
  }

  /** The options that apply to a tool. */
  optionsFor(toolKey: string): ToolOptions {
    return this.options.tools?.[toolKey] ?? this.options.defaultToolLimits ?? {};
  }

  /** Every known tool's containment, for health endpoints and the CLI. */
  async toolStates(nowMs: number = Date.now()): Promise<Record<string, ToolStatus>> {
    const out: Record<string, ToolStatus> = {};
    for (const [key, state] of await this.store.entries()) {
      out[key] = statusOf(state, this.governors.get(key)?.waiting ?? 0, nowMs);
    }
    return out;
  }

  /** Each tool's circuit as this worker last saw it (synchronous: for metric gauges and health checks). */
  circuitStates(): Record<string, CircuitStateName> {
    const out: Record<string, CircuitStateName> = {};
    for (const [key, governor] of this.governors) out[key] = governor.circuitName;
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
