/**
 * Names of the Temporal headers the toolkit's interceptors exchange. Headers travel with the activity task, so the
 * activity side learns the step name without any change to the activity's arguments.
 */
export const HEADERS = {
  /** The step name of a scheduled activity (`charge-card`, or `chargeCard#2` by default). */
  step: 'temporal-resilience-step',
  /** The workflow's budget and what it has spent so far: `{ budgetUsd, spentUsd }`. */
  budget: 'temporal-resilience-budget',
} as const;

/** The value of the {@link HEADERS}.budget header. */
export interface BudgetHeader {
  readonly budgetUsd: number;
  readonly spentUsd: number;
}
