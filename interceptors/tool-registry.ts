import { BoundedRegistry } from './bounded-registry';
import type { ResilienceOptions } from './resilience-options';
import { ToolLimiter, type ToolLimiterState } from './tool-limiter';

/** Defaults of the registry bounds in {@link ResilienceOptions}. */
export const DEFAULT_REGISTRY_BOUNDS = { maxTools: 1_000, toolIdleMs: 600_000 } as const;

/**
 * The worker-wide per-tool state: one {@link ToolLimiter} per tool key, shared by every concurrent activity
 * execution in this worker, bounded so per-user tool keys cannot grow memory without limit.
 */
export class ToolRegistry {
  private readonly limiters: BoundedRegistry<ToolLimiter>;

  constructor(private readonly options: ResilienceOptions = {}) {
    this.limiters = new BoundedRegistry<ToolLimiter>({
      maxEntries: options.maxTools ?? DEFAULT_REGISTRY_BOUNDS.maxTools,
      idleMs: options.toolIdleMs ?? DEFAULT_REGISTRY_BOUNDS.toolIdleMs,
      isBusy: (limiter) => limiter.busy,
    });
  }

  /** The limiter of a tool, created with its configured limits on first use. */
  limiterFor(toolKey: string): ToolLimiter {
    return this.limiters.get(
      toolKey,
      (key) =>
        new ToolLimiter(key, {
          maxWaitMs: this.options.classify?.maxWaitMs,
          ...(this.options.tools?.[key] ?? this.options.defaultToolLimits),
        }),
    );
  }

  /** Each tracked tool's pacing state, for health endpoints. */
  toolStates(): Record<string, ToolLimiterState> {
    const out: Record<string, ToolLimiterState> = {};
    for (const [key, limiter] of this.limiters) out[key] = limiter.state();
    return out;
  }

  /** How many tools are tracked now. */
  get size(): number {
    return this.limiters.size;
  }
}
