import type { AttemptRecord } from '../src/attempts/attempt-record';
import type { Cost } from '../src/cost/cost';
import { currentLedger } from './workflow-ledger';

/**
 * The cost of this workflow execution so far: every activity attempt that ended, failed attempts included. It comes
 * from the workflow's own history, so it is the same after a worker restart or a replay.
 */
export function workflowCost(): Cost {
  return currentLedger().spent;
}

/**
 * Sets the workflow's budget in USD. Once the workflow's cost reaches it, the next activity attempt fails before
 * calling its tool with a non-retryable `BudgetExceeded` that says what was spent against what budget.
 */
export function setBudget(usd: number): void {
  currentLedger().setBudget(usd);
}

/** The attempt records of this workflow's activities (bounded), as the toolkit carried them into history. */
export function workflowAttempts(): AttemptRecord[] {
  return currentLedger().attempts();
}
