/**
 * The worker-wide spend of each workflow execution: every cost an attempt records is added the moment it is
 * recorded, so an attempt about to start sees what attempts running in parallel (or already lost) have spent, not
 * only what the workflow has heard back. Async-capable so a shared store (Redis, for a fleet of workers) can
 * implement it; the in-memory one below serves one worker.
 */
export interface SpendTally {
  /** Adds `usd` to the execution's spend. */
  add(executionKey: string, usd: number): void | Promise<void>;
  /** What the execution has spent so far, as far as this tally knows. */
  spent(executionKey: string): number | Promise<number>;
}

/** Options of {@link InMemorySpendTally}. */
export interface InMemorySpendTallyOptions {
  /**
   * Executions remembered at most; the least recently used are forgotten first (their budget then rests on the
   * workflow's own ledger, which the budget header carries).
   * @default 10000
   */
  readonly maxExecutions?: number;
}

/** A {@link SpendTally} in this worker's memory, bounded. */
export class InMemorySpendTally implements SpendTally {
  private readonly spend = new Map<string, number>();
  private readonly maxExecutions: number;

  constructor(options: InMemorySpendTallyOptions = {}) {
    this.maxExecutions = options.maxExecutions ?? 10_000;
  }

  add(executionKey: string, usd: number): void {
    if (!(Number.isFinite(usd) && usd > 0)) return;
    const total = Math.round(((this.spend.get(executionKey) ?? 0) + usd) * 1e6) / 1e6;
    this.spend.delete(executionKey);
    this.spend.set(executionKey, total);
    while (this.spend.size > this.maxExecutions) this.spend.delete(this.spend.keys().next().value as string);
  }

  spent(executionKey: string): number {
    return this.spend.get(executionKey) ?? 0;
  }
}

/** The key of one workflow execution in a {@link SpendTally}. */
export function executionKey(namespace: string, workflowId: string, runId: string): string {
  return `${namespace}/${workflowId}/${runId}`;
}
