import type { Context as ActivityContext } from '@temporalio/activity';
import {
  appendRecord,
  hasChainMarker,
  type AttemptChain,
  type AttemptRecord,
  type ChainHeartbeat,
} from '../src/attempts/attempt-record';
import { continueChain, fromChainWire, toChainWire, type ChainWire } from '../src/attempts/chain-wire';
import { addCost, ZERO_COST, type Cost } from '../src/cost/cost';
import type { BudgetHeader } from '../src/headers';
import { EMPTY_CHAIN } from './attempt-chain';
import { AttemptStore, type LiveAttempt } from './attempt-store';
import { HEARTBEAT_MARKER } from './chain-payload-codec';
import { executionKey, type SpendTally } from './spend-tally';

/** The worker-wide state every attempt's ledger shares. */
export interface AttemptLedgerDeps {
  readonly store: AttemptStore;
  readonly tally: SpendTally;
  /** True when the toolkit's payload codec is installed, so heartbeats may carry the chain beside the user's details. */
  readonly codecInstalled: () => boolean;
}

/**
 * One attempt's part of the attempt chain: where its records and cost come from, where they go, and the budget
 * check. The activity interceptor calls, in order: {@link AttemptLedger.open} before anything else,
 * {@link AttemptLedger.budgetRefusal} before calling the tool, {@link AttemptLedger.recordCost} (through the attempt
 * context) whenever the activity records cost, and {@link AttemptLedger.finish} exactly once when the attempt ends.
 *
 * Where the chain travels (see `docs/attempt-ledger.md`):
 * - within the worker: an {@link AttemptStore} entry per running attempt, read by the next attempt on this worker;
 * - across workers and crashes: the metadata of every heartbeat payload (the user's details stay the payload's
 *   value); cost is heartbeated the moment it is recorded, so a worker killed afterwards loses none of it;
 * - to the workflow: the metadata of the result payload, or the failure's details;
 * - to budgets: a worker-wide {@link SpendTally} per workflow execution, updated at every `recordCost`.
 */
export class AttemptLedger {
  private chainSoFar: AttemptChain;
  private attemptCost: Cost = ZERO_COST;
  private lastUser: unknown;
  private readonly key: string;
  private readonly execution: string;
  private readonly live: LiveAttempt;
  private readonly wraps: boolean;

  private constructor(
    private readonly ctx: ActivityContext,
    private readonly deps: AttemptLedgerDeps,
    base: Omit<AttemptRecord, 'outcome'>,
  ) {
    const info = ctx.info;
    const workflowId = info.workflowExecution?.workflowId ?? '';
    const runId = info.workflowExecution?.runId ?? '';
    this.key = AttemptStore.key(workflowId, info.activityId);
    this.execution = executionKey(info.workflowNamespace ?? info.namespace, workflowId, runId);
    const identity = {
      activityId: base.activityId,
      activityType: base.activityType,
      toolKey: base.toolKey,
      ...(base.step !== undefined ? { step: base.step } : {}),
      ...(base.idempotencyKey !== undefined ? { idempotencyKey: base.idempotencyKey } : {}),
    };
    const arrived = deps.store.takeArrived(this.key);
    const previous = deps.store.get(this.key);
    let chain: AttemptChain = EMPTY_CHAIN;
    let current: AttemptRecord | undefined;
    this.lastUser = info.heartbeatDetails;
    const arrivedUpTo = arrived
      ? Math.max(0, ...(arrived.r ?? [{ a: 1 }]).map((r) => r.a), arrived.cur?.a ?? 0)
      : 0;
    if (
      previous &&
      previous.runId === runId &&
      previous.attempt < info.attempt &&
      previous.attempt > arrivedUpTo
    ) {
      // The latest earlier attempt ran in this worker: its chain is here, whatever its last heartbeat carried.
      ({ chain, current } = previous);
    } else if (arrived) {
      ({ chain, current } = fromChainWire(arrived, identity));
    } else if (hasChainMarker(info.heartbeatDetails)) {
      // Heartbeat details written by an earlier version of the toolkit, which wrapped the user's details.
      const legacy = info.heartbeatDetails as ChainHeartbeat;
      ({ chain, current } = legacy);
      this.lastUser = legacy.user;
      (info as { heartbeatDetails: unknown }).heartbeatDetails = legacy.user;
    }
    this.chainSoFar = continueChain(chain, current, info.attempt, identity);
    this.live = {
      runId,
      attempt: info.attempt,
      chain: this.chainSoFar,
      current: { ...base, outcome: 'lost' },
    };
    deps.store.set(this.key, this.live);
    this.wraps = !info.isLocal && deps.codecInstalled();
    if (this.wraps) this.wrapHeartbeat();
  }

  /** Starts the attempt's ledger: continues the previous attempts' chain and registers this attempt as running. */
  static open(
    ctx: ActivityContext,
    deps: AttemptLedgerDeps,
    base: Omit<AttemptRecord, 'outcome'>,
  ): AttemptLedger {
    return new AttemptLedger(ctx, deps, base);
  }

  /** The chain so far: earlier attempts, and this one once it has finished. */
  get chain(): AttemptChain {
    return this.chainSoFar;
  }

  /** What this attempt has recorded so far. */
  get cost(): Cost {
    return this.attemptCost;
  }

  /**
   * The refusal message when the workflow's known spend has reached its budget, else `undefined`. Known spend is the
   * larger of two lower bounds: what the workflow had heard of when it scheduled the activity plus this activity's
   * earlier attempts, and the worker-wide tally (which already counts attempts still running in parallel).
   */
  async budgetRefusal(budget: BudgetHeader | undefined): Promise<string | undefined> {
    if (!budget) return undefined;
    let tallied = 0;
    try {
      tallied = await this.deps.tally.spent(this.execution);
    } catch {
      // A shared tally that cannot answer leaves the workflow's own account, which is still a bound.
    }
    const spent = Math.max(budget.spentUsd + this.chainSoFar.cost.usd, tallied);
    if (spent < budget.budgetUsd) return undefined;
    return `spent $${spent.toFixed(2)} of the $${budget.budgetUsd.toFixed(2)} budget`;
  }

  /** Adds priced cost to this attempt, to the worker-wide tally, and (by a heartbeat) to the server's copy. */
  recordCost(priced: Cost): void {
    this.attemptCost = addCost(this.attemptCost, priced);
    if (this.live.current) this.live.current = { ...this.live.current, cost: this.attemptCost };
    try {
      void Promise.resolve(this.deps.tally.add(this.execution, priced.usd)).catch(() => undefined);
    } catch {
      // A tally that fails must not fail the attempt; the workflow's ledger still counts the cost.
    }
    // The first heartbeat of an attempt leaves at once: the cost is on the server before anything else can go wrong.
    this.beat();
  }

  /**
   * A call of this attempt ended and is sent again from the worker (a CAP, a WAIT, a failure while the circuit is
   * open): its record joins the chain with the cost recorded so far, and the attempt goes on with none.
   */
  noteCall(record: AttemptRecord): void {
    this.chainSoFar = appendRecord(this.chainSoFar, record, addCost(this.chainSoFar.cost, this.attemptCost));
    this.attemptCost = ZERO_COST;
    this.live.chain = this.chainSoFar;
    if (this.live.current) {
      const { cost: _counted, ...rest } = this.live.current;
      void _counted;
      this.live.current = rest;
    }
    this.beat();
  }

  /** Heartbeats again with the user's last details, unchanged (an attempt waiting in the worker stays alive). */
  keepAlive(): void {
    if (this.wraps) this.beat();
    else this.ctx.heartbeat(this.lastUser);
  }

  /** Heartbeats the user's details (the chain travels beside them, in the payload's metadata). */
  heartbeat(details?: unknown): void {
    this.ctx.heartbeat(details);
  }

  /**
   * Ends the attempt: its record joins the chain. A failed attempt heartbeats once more (the user's last details
   * again, unchanged) so the next attempt, on any worker, gets the chain; a completed one leaves the chain for the
   * codec to put beside the result.
   */
  finish(record: AttemptRecord): AttemptChain {
    this.chainSoFar = appendRecord(this.chainSoFar, record, addCost(this.chainSoFar.cost, this.attemptCost));
    this.live.chain = this.chainSoFar;
    this.live.current = undefined;
    if (record.outcome !== 'completed') this.beat();
    else if (this.wraps) {
      this.live.resultPending = true;
      // History's started and completed events already time a first attempt that cost nothing: only the record's
      // existence (and the idempotency key) goes beside the result.
      if (saysNothingNew(this.chainSoFar))
        this.live.chain = { ...this.chainSoFar, records: [untimed(record)] };
    } else this.deps.store.delete(this.key, this.live);
    return this.chainSoFar;
  }

  /**
   * What a failure carries: the whole chain when nothing will retry (the workflow's ledger takes it from there), else
   * nothing: the chain reaches the next attempt beside the heartbeat, and the failure Temporal repeats on the next
   * attempt's started event stays small at any attempt count.
   */
  failureWire(terminal: boolean): ChainWire | undefined {
    if (!terminal) return undefined;
    // No attempt follows: the entry would only wait for eviction.
    this.deps.store.delete(this.key, this.live);
    return toChainWire('r', this.chainSoFar);
  }

  private beat(): void {
    if (this.wraps) this.ctx.heartbeat(this.lastUser);
  }

  /** Every heartbeat of this attempt, the SDK's included, goes out as `{ marker, user }` for the codec. */
  private wrapHeartbeat(): void {
    const ctx = this.ctx as { heartbeat: (details?: unknown) => void };
    const original = ctx.heartbeat;
    ctx.heartbeat = (details?: unknown) => {
      this.lastUser = details;
      // Binary details cannot ride inside the JSON envelope: they go out as they are, without the chain.
      if (details instanceof Uint8Array) return original(details);
      original({ marker: HEARTBEAT_MARKER, ...(details !== undefined ? { user: details } : {}) });
    };
  }
}

/** A first attempt that completed and recorded no cost: history's own events say when it ran. */
function saysNothingNew(chain: AttemptChain): boolean {
  const [only] = chain.records;
  return chain.records.length === 1 && chain.dropped === 0 && only?.attempt === 1 && only.cost === undefined;
}

function untimed(record: AttemptRecord): AttemptRecord {
  const rest: { -readonly [K in keyof AttemptRecord]?: AttemptRecord[K] } = { ...record, startedAt: '' };
  delete rest.finishedAt;
  return rest as AttemptRecord;
}
