import { BoundedRegistry } from './bounded-registry';
import type { ResilienceOptions } from './resilience-options';
import { ToolCircuit, type CircuitSnapshot, type CircuitStateChange } from './tool-circuit';
import { ToolLimiter, type ToolLimiterState } from './tool-limiter';

/** Defaults of the registry bounds in {@link ResilienceOptions}. */
export const DEFAULT_REGISTRY_BOUNDS = { maxTools: 1_000, toolIdleMs: 600_000 } as const;

/** Everything the worker knows about one tool. */
export interface ToolState {
  readonly limiter: ToolLimiter;
  readonly circuit: ToolCircuit;
}

/**
 * The worker-wide per-tool state: one {@link ToolLimiter} and one {@link ToolCircuit} per tool key, shared by every
 * concurrent activity execution in this worker, bounded so that per-user tool keys cannot grow memory without limit.
 */
export class ToolRegistry {
  private readonly tools: BoundedRegistry<ToolState>;

  constructor(
    private readonly options: ResilienceOptions = {},
    private readonly onStateChange: (change: CircuitStateChange) => void = () => undefined,
  ) {
    this.tools = new BoundedRegistry<ToolState>({
      maxEntries: options.maxTools ?? DEFAULT_REGISTRY_BOUNDS.maxTools,
      idleMs: options.toolIdleMs ?? DEFAULT_REGISTRY_BOUNDS.toolIdleMs,
      isBusy: (tool) => tool.limiter.busy || tool.circuit.busy,
      onEvict: (tool) => tool.circuit.shutdown(),
    });
  }

  /** The state of a tool, created with its configured options on first use. */
  toolFor(toolKey: string): ToolState {
    return this.tools.get(toolKey, (key) => {
      const limits = this.options.tools?.[key] ?? this.options.defaultToolLimits ?? {};
      return {
        limiter: new ToolLimiter(key, { maxWaitMs: this.options.classify?.maxWaitMs, ...limits }),
        circuit: new ToolCircuit(key, limits.circuit, this.onStateChange),
      };
    });
  }

  /** Each tracked tool's pacing state, for health endpoints. */
  toolStates(): Record<string, ToolLimiterState> {
    const out: Record<string, ToolLimiterState> = {};
    for (const [key, tool] of this.tools) out[key] = tool.limiter.state();
    return out;
  }

  /** Each tracked tool's circuit, for health endpoints. */
  circuitStates(): Record<string, CircuitSnapshot> {
    const out: Record<string, CircuitSnapshot> = {};
    for (const [key, tool] of this.tools) out[key] = tool.circuit.snapshot();
    return out;
  }

  /** How many tools are tracked now. */
  get size(): number {
    return this.tools.size;
  }

  /** Stops every circuit's timers (worker shutdown). */
  shutdown(): void {
    for (const [, tool] of this.tools) tool.circuit.shutdown();
  }
}
