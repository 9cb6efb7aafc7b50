/**
 * Names of the Temporal headers the toolkit's interceptors exchange. Headers travel with the activity task, so the
 * activity side learns the step name without any change to the activity's arguments.
 */
export const HEADERS = {
  /** The step name of a scheduled activity (`charge-card`, or `chargeCard#2` by default). */
  step: 'temporal-resilience-step',
  /** The workflow's budget and what it has spent so far: `{ budgetUsd, spentUsd }`. */
  budget: 'temporal-resilience-budget',
  /**
   * The retry policy's `maximumAttempts`, counted in real calls: the workflow interceptor lifts the server's limit so
   * that attempts refused without a call (circuit open, tool paused) do not use it up, and the activity interceptor
   * enforces this many calls instead.
   */
  maxCalls: 'temporal-resilience-max-calls',
  /** The fallback route an activity runs on (`withFallback`): {@link RouteHeader}. */
  route: 'temporal-resilience-route',
} as const;

/** The value of the {@link HEADERS}.budget header. */
export interface BudgetHeader {
  readonly budgetUsd: number;
  readonly spentUsd: number;
}

/**
 * The value of the {@link HEADERS}.route header, sent by `withFallback` (workflows/fallback.ts) with each activity it
 * schedules. The worker uses `toolKey` as the attempt's tool key (unless the `toolKey` option decides), so each route
 * has its own circuit, limits and quota hold; with `fallback: true` it fails a STOP or an open-circuit refusal
 * non-retryably, so the workflow moves to the next route at once instead of the server retrying this one.
 */
export interface RouteHeader {
  /** The route's name (`openai`, `anthropic:claude-sonnet`, `key-2`). */
  readonly route: string;
  /** The tool key attempts on this route are governed by. */
  readonly toolKey: string;
  /** Position in the route list, from 0. */
  readonly index: number;
  /** True when a later route exists to fall back to. */
  readonly fallback: boolean;
}
