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
import { fromChainWire, isWireEnvelope, type ChainIdentity } from '../src/attempts/chain-wire';
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
 * (the chains travel beside activity results, in payload metadata, and in failures), so it survives worker restarts
 * without a database.
 */
export class WorkflowLedger {
  private cost: Cost = ZERO_COST;
  private attemptsSeen = 0;
  private budgetUsd: number | undefined;
  private readonly activities: Array<{ chain: AttemptChain }> = [];

  constructor() {
    setHandler(ledgerQuery, () => this.snapshot());
  }

  /**
   * Takes the chain from beside an activity's result (the codec hands the sandbox `{ marker, wire, result }`);
   * returns the result itself, which is what the workflow sees. Histories written by earlier versions, whose result
   * was an envelope, are unwrapped too.
   */
  settle(value: unknown, identity: ChainIdentity): unknown {
    if (isWireEnvelope(value)) {
      this.add(fromChainWire(value.wire, identity).chain);
      return value.result;
    }
    if (isResultEnvelope(value)) {
      this.add(value.chain);
      return value.result;
    }
    return value;
  }

  /** Takes the chain off a failed activity's details, if the toolkit put one there. */
  settleFailure(error: unknown, identity: ChainIdentity): void {
    if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return;
    const details: unknown[] = error.cause.details ?? [];
    const wire = details.find(isWireEnvelope);
    if (wire) return this.add(fromChainWire(wire.wire, identity).chain);
    const legacy = details.find(hasChainMarker);
    if (legacy) this.add(legacy.chain);
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
