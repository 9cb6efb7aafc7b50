import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  setHandler,
  type QueryDefinition,
} from '@temporalio/workflow';
import {
  hasChainMarker,
  isResultEnvelope,
  type AttemptChain,
  type AttemptRecord,
} from '../src/attempts/attempt-record';
import { addCost, ZERO_COST, type Cost } from '../src/cost/cost';

/** What the ledger query returns. */
export interface LedgerSnapshot {
  /** Cost of every activity attempt that ended so far, failed attempts included. */
  readonly cost: Cost;
  readonly budgetUsd?: number;
  /** Attempt records by activity, most recent activities last (bounded). */
  readonly activities: ReadonlyArray<{ readonly chain: AttemptChain }>;
}

/** Query reading the workflow's cost and attempt records: `await handle.query(ledgerQuery)`. */
export const ledgerQuery: QueryDefinition<LedgerSnapshot> = defineQuery<LedgerSnapshot>(
  'temporal-resilience.ledger',
);

/** Activities whose chains the ledger keeps for the query; older ones still count in the cost. */
const MAX_ACTIVITIES_KEPT = 200;

/**
 * One workflow execution's account of its activity attempts and their cost. It is rebuilt from history on replay
 * (activity results and failures carry the chains), so it survives worker restarts without a database.
 */
export class WorkflowLedger {
  private cost: Cost = ZERO_COST;
  private attemptsSeen = 0;
  private budgetUsd: number | undefined;
  private readonly activities: Array<{ chain: AttemptChain }> = [];

  constructor() {
    setHandler(ledgerQuery, () => this.snapshot());
  }

  /** Takes the chain off an activity's result (unwrapping it) or failure; returns what the workflow should see. */
  settle(value: unknown): unknown {
    if (!isResultEnvelope(value)) return value;
    this.add(value.chain);
    return value.result;
  }

  /** Takes the chain off a failed activity's details, if the toolkit put one there. */
  settleFailure(error: unknown): void {
    if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return;
    const detail = error.cause.details?.find(hasChainMarker);
    if (detail) this.add(detail.chain);
  }

  setBudget(usd: number): void {
    if (!(typeof usd === 'number' && Number.isFinite(usd) && usd >= 0)) {
      throw new TypeError(`setBudget(usd): usd must be a number of dollars ≥ 0, got ${String(usd)}`);
    }
    this.budgetUsd = usd;
  }

  get budget(): number | undefined {
    return this.budgetUsd;
  }

  get spent(): Cost {
    return this.cost;
  }

  /** Attempts of every settled activity, those dropped from the chains and the kept activities included. */
  get attemptCount(): number {
    return this.attemptsSeen;
  }

  /** Every attempt record kept, oldest activity first. */
  attempts(): AttemptRecord[] {
    return this.activities.flatMap((a) => [...a.chain.records]);
  }

  snapshot(): LedgerSnapshot {
    return {
      cost: this.cost,
      ...(this.budgetUsd !== undefined ? { budgetUsd: this.budgetUsd } : {}),
      activities: [...this.activities],
    };
  }

  private add(chain: AttemptChain): void {
    this.cost = addCost(this.cost, chain.cost);
    this.attemptsSeen += chain.records.length + chain.dropped;
    this.activities.push({ chain });
    if (this.activities.length > MAX_ACTIVITIES_KEPT) this.activities.shift();
  }
}

let current: WorkflowLedger | undefined;

/** Installs this workflow execution's ledger (called by the workflow interceptors module). */
export function installLedger(ledger: WorkflowLedger): void {
  current = ledger;
}

/** This workflow execution's ledger. @throws when the toolkit's workflow interceptors are not registered. */
export function currentLedger(): WorkflowLedger {
  if (!current) {
    throw new Error(
      'temporal-resilience: no workflow ledger. Register the toolkit on the worker (`plugins: [resiliencePlugin()]`) ' +
        'and, for a prebuilt bundle, pass the same plugin to bundleWorkflowCode.',
    );
  }
  return current;
}
