import type { ClassKind } from '../classification/classification';
import { addCost, ZERO_COST, type Cost } from '../cost/cost';
import { failureTypeOf } from '../failure-types';
import { appendRecord, type AttemptChain, type AttemptRecord } from './attempt-record';

/**
 * Payload metadata key under which the toolkit carries an attempt chain beside a value (an activity result or a
 * heartbeat's details). Temporal's converters ignore metadata they do not know, so the value itself, as the Web UI,
 * `temporal workflow show` and every SDK decode it, is exactly the user's.
 */
export const CHAIN_METADATA_KEY = 'resilience-chain';

/** What the chain metadata says it travels beside: an activity's result (`r`) or its heartbeat details (`h`). */
export type ChainCarrierKind = 'r' | 'h';

/** The identity every record of one activity shares; the wire form leaves it out and the reader puts it back. */
export interface ChainIdentity {
  readonly activityId: string;
  readonly activityType: string;
  readonly step?: string;
}

/**
 * The compact form of an {@link AttemptChain} that travels in payload metadata and failure details. Fields every
 * record shares (activity id and type, step, idempotency key, tool key) are written once or not at all: history
 * already names the activity, and a record per attempt must stay small for long retry series.
 */
export interface ChainWire {
  /** Schema version. */
  readonly v: 1;
  /** Absent for `r`, the common case. */
  readonly kind?: ChainCarrierKind;
  /**
   * Finished (or lost) attempts, oldest first. Absent means one untimed record: a first attempt that completed at
   * no cost (history's own events time it), the most common chain by far.
   */
  readonly r?: readonly WireRecord[];
  /** The attempt in progress (heartbeats only): if the next attempt finds it without an end, it was lost. */
  readonly cur?: WireRecord;
  /** Records dropped from the middle of a long chain. */
  readonly d?: number;
  /** Cost of every attempt, the dropped ones included. */
  readonly c?: Cost;
  /** The idempotency key every attempt shared. */
  readonly k?: string;
  /** The tool key, when it differs from the activity type. */
  readonly t?: string;
}

/**
 * One record without the fields the chain shares, in short keys: `a` attempt; `o` outcome (`f` failed, `r` refused,
 * `l` lost; absent: completed); `s` start (epoch ms; absent when unknown); `f`, `n` end and `next_not_before` as ms
 * after `s`; `k` class; `r` reason; `t` failure type (absent when it is the class's usual one); `d` chosen delay ms;
 * `u` side effect unknown; `c` cost as `[inputTokens, outputTokens, usd]`; `x` re-sent from the worker; `g` route.
 */
export interface WireRecord {
  readonly a: number;
  readonly o?: 'f' | 'r' | 'l';
  readonly s?: number;
  readonly f?: number;
  readonly n?: number;
  readonly k?: ClassKind;
  readonly r?: string;
  readonly t?: string;
  readonly d?: number;
  readonly u?: 1;
  readonly c?: readonly [number, number, number];
  /** Re-sent from the worker within the same attempt (`resentLocally`). */
  readonly x?: 1;
  /** The fallback route the call ran on. */
  readonly g?: string;
}

/** The record a chain without `r` stands for. */
const FIRST_COMPLETED: WireRecord = { a: 1 };

const OUTCOME_CODES = { failed: 'f', refused: 'r', lost: 'l' } as const;
const OUTCOMES = { f: 'failed', r: 'refused', l: 'lost' } as const;

function toWireRecord(r: AttemptRecord): WireRecord {
  const s = r.startedAt ? Date.parse(r.startedAt) : undefined;
  const offset = (iso: string | undefined) =>
    iso !== undefined && s !== undefined && Number.isFinite(s) ? Date.parse(iso) - s : undefined;
  const f = offset(r.finishedAt);
  const n = offset(r.nextNotBefore);
  return {
    a: r.attempt,
    ...(r.outcome !== 'completed' ? { o: OUTCOME_CODES[r.outcome] } : {}),
    ...(s !== undefined && Number.isFinite(s) ? { s } : {}),
    ...(f !== undefined ? { f } : {}),
    ...(n !== undefined ? { n } : {}),
    ...(r.kind !== undefined ? { k: r.kind } : {}),
    ...(r.reason !== undefined ? { r: r.reason } : {}),
    ...(r.failureType !== undefined && (r.kind === undefined || r.failureType !== failureTypeOf(r.kind))
      ? { t: r.failureType }
      : {}),
    ...(r.delayMs !== undefined ? { d: r.delayMs } : {}),
    ...(r.sideEffectUnknown ? { u: 1 as const } : {}),
    ...(r.cost ? { c: [r.cost.inputTokens, r.cost.outputTokens, r.cost.usd] as const } : {}),
    ...(r.resentLocally ? { x: 1 as const } : {}),
    ...(r.route !== undefined ? { g: r.route } : {}),
  };
}

function fromWireRecord(
  w: WireRecord,
  shared: Omit<AttemptRecord, 'attempt' | 'outcome' | 'startedAt'>,
): AttemptRecord {
  const at = (offset: number | undefined) =>
    offset !== undefined && w.s !== undefined ? new Date(w.s + offset).toISOString() : undefined;
  const finishedAt = at(w.f);
  const nextNotBefore = at(w.n);
  const failureType =
    w.t ?? (w.k !== undefined && w.o !== undefined && w.o !== 'l' ? failureTypeOf(w.k) : undefined);
  return {
    ...shared,
    attempt: w.a,
    startedAt: w.s !== undefined ? new Date(w.s).toISOString() : '',
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    outcome: w.o ? OUTCOMES[w.o] : 'completed',
    ...(w.k !== undefined ? { kind: w.k } : {}),
    ...(w.r !== undefined ? { reason: w.r } : {}),
    ...(failureType !== undefined ? { failureType } : {}),
    ...(w.d !== undefined ? { delayMs: w.d } : {}),
    ...(nextNotBefore !== undefined ? { nextNotBefore } : {}),
    ...(w.u ? { sideEffectUnknown: true } : {}),
    ...(w.c ? { cost: { inputTokens: w.c[0], outputTokens: w.c[1], usd: w.c[2] } } : {}),
    ...(w.x ? { resentLocally: true } : {}),
    ...(w.g !== undefined ? { route: w.g } : {}),
  };
}

/** The wire form of a chain (and of the attempt in progress). */
export function toChainWire(kind: ChainCarrierKind, chain: AttemptChain, current?: AttemptRecord): ChainWire {
  const first = current ?? chain.records[0];
  const r = chain.records.map(toWireRecord);
  const trivial = r.length === 1 && JSON.stringify(r[0]) === JSON.stringify(FIRST_COMPLETED) && !current;
  return {
    v: 1,
    ...(kind === 'h' ? { kind } : {}),
    ...(trivial ? {} : { r }),
    ...(current ? { cur: toWireRecord(current) } : {}),
    ...(chain.dropped > 0 ? { d: chain.dropped } : {}),
    ...(hasCost(chain.cost) ? { c: chain.cost } : {}),
    ...(first?.idempotencyKey !== undefined ? { k: first.idempotencyKey } : {}),
    ...(first && first.toolKey !== first.activityType ? { t: first.toolKey } : {}),
  };
}

/** True for a value that has the shape of a {@link ChainWire}. */
export function isChainWire(value: unknown): value is ChainWire {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ChainWire>;
  return (
    v.v === 1 &&
    (v.kind === undefined || v.kind === 'r' || v.kind === 'h') &&
    (v.r === undefined || Array.isArray(v.r))
  );
}

/** The chain a wire form describes, with the shared identity put back into every record. */
export function fromChainWire(
  wire: ChainWire,
  identity: ChainIdentity,
): { chain: AttemptChain; current?: AttemptRecord } {
  const shared = {
    activityId: identity.activityId,
    activityType: identity.activityType,
    toolKey: wire.t ?? identity.activityType,
    ...(identity.step !== undefined ? { step: identity.step } : {}),
    ...(wire.k !== undefined ? { idempotencyKey: wire.k } : {}),
  };
  const expand = (r: WireRecord): AttemptRecord => fromWireRecord(r, shared);
  const chain: AttemptChain = {
    records: (wire.r ?? [FIRST_COMPLETED]).map(expand),
    dropped: wire.d ?? 0,
    cost: wire.c ?? ZERO_COST,
  };
  return wire.cur ? { chain, current: expand(wire.cur) } : { chain };
}

/**
 * The chain the next attempt continues: the previous attempts' chain, plus the attempt that was in progress when the
 * last heartbeat left (it never recorded an end: its worker died or it timed out, so it is `lost`, and the cost it
 * had recorded counts), plus a `lost` record for any earlier attempt number that left nothing at all.
 */
export function continueChain(
  chain: AttemptChain,
  current: AttemptRecord | undefined,
  currentAttempt: number,
  identity: Omit<AttemptRecord, 'attempt' | 'outcome' | 'startedAt'>,
): AttemptChain {
  let out = chain;
  const known = (attempt: number) => out.records.some((r) => r.attempt === attempt);
  if (current && current.attempt < currentAttempt && !known(current.attempt)) {
    out = appendRecord(out, { ...current, outcome: 'lost' }, addCost(out.cost, current.cost ?? ZERO_COST));
  }
  // Records dropped from the middle of a long chain are not gaps: then only numbers above the last record are.
  const from = out.dropped > 0 ? out.records.reduce((max, r) => Math.max(max, r.attempt), 0) + 1 : 1;
  for (let attempt = from; attempt < currentAttempt; attempt++) {
    if (!known(attempt))
      out = appendRecord(out, { ...identity, attempt, startedAt: '', outcome: 'lost' }, out.cost);
  }
  return sortByAttempt(out);
}

function sortByAttempt(chain: AttemptChain): AttemptChain {
  return { ...chain, records: [...chain.records].sort((a, b) => a.attempt - b.attempt) };
}

function hasCost(cost: Cost): boolean {
  return cost.usd > 0 || cost.inputTokens > 0 || cost.outputTokens > 0;
}

/**
 * Marks the value the toolkit's codec hands the workflow sandbox for an activity result that carried a chain:
 * `{ marker, wire, result? }` (no `result` for an activity that returned nothing). The workflow interceptor unwraps
 * it before the workflow sees the result, so workflow code and history both see only the user's value.
 */
export const WIRE_MARKER = 'temporal-resilience/chain-wire@1';

/** A chain beside a value, as the workflow sandbox and failure details see it. */
export interface WireEnvelope {
  readonly marker: typeof WIRE_MARKER;
  readonly wire: ChainWire;
  readonly result?: unknown;
}

/** True for a {@link WireEnvelope}. */
export function isWireEnvelope(value: unknown): value is WireEnvelope {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { marker?: unknown }).marker === WIRE_MARKER &&
    isChainWire((value as { wire?: unknown }).wire)
  );
}
