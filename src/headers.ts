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
} as const;

/** The value of the {@link HEADERS}.budget header. */
export interface BudgetHeader {
  readonly budgetUsd: number;
  readonly spentUsd: number;
}
