import type { ClassKind } from '../classification/classification';
import type { Cost } from '../cost/cost';

/**
 * What one activity attempt leaves behind. Temporal's history keeps only an activity's final attempt; the toolkit
 * carries these records from attempt to attempt (in the metadata of heartbeat payloads, beside the user's details)
 * and hands them to the workflow beside the result (payload metadata) or in the failure, so the history holds every
 * attempt. See `docs/attempt-ledger.md`.
 */
export interface AttemptRecord {
  readonly attempt: number;
  readonly activityId: string;
  readonly activityType: string;
  readonly toolKey: string;
  /** The fallback route the attempt ran on (`withFallback`), when it ran on one. */
  readonly route?: string;
  readonly step?: string;
  readonly idempotencyKey?: string;
  /**
   * ISO times on the server's clock (virtual on the time-skipping server). `startedAt` is empty for an attempt that
   * was lost before it left any trace (only its number is known, from the next attempt's).
   */
  readonly startedAt: string;
  readonly finishedAt?: string;
  /**
   * `completed`; `failed` (the tool was called); `refused` (not called: circuit open, tool paused or held, budget
   * spent); `lost` (the worker died or the attempt timed out before it could record an end).
   */
  readonly outcome: 'completed' | 'failed' | 'refused' | 'lost';
  readonly kind?: ClassKind;
  readonly reason?: string;
  readonly failureType?: string;
  /** The delay the policy chose and the time before which the next attempt must not start. */
  readonly delayMs?: number;
  readonly nextNotBefore?: string;
  readonly sideEffectUnknown?: boolean;
  /**
   * The provider did not process this call (CAP or a short WAIT) and it was sent again from the worker within the
   * same attempt, so the next record may carry the same attempt number.
   */
  readonly resentLocally?: boolean;
  readonly cost?: Cost;
}

/** How many records a chain keeps: the first few and the most recent, so the size stays bounded. */
export const MAX_CHAIN_RECORDS = 20;
const KEEP_FIRST = 3;

/** A bounded list of attempt records, with a count of those dropped from the middle. */
export interface AttemptChain {
  readonly records: readonly AttemptRecord[];
  /** Records dropped to stay within {@link MAX_CHAIN_RECORDS}. */
  readonly dropped: number;
  /** Cost of every attempt, the dropped ones included. */
  readonly cost: Cost;
}

/** Appends a record, dropping from the middle beyond {@link MAX_CHAIN_RECORDS}. */
export function appendRecord(chain: AttemptChain, record: AttemptRecord, totalCost: Cost): AttemptChain {
  const records = [...chain.records, record];
  if (records.length <= MAX_CHAIN_RECORDS) return { records, dropped: chain.dropped, cost: totalCost };
  const excess = records.length - MAX_CHAIN_RECORDS;
  return {
    records: [...records.slice(0, KEEP_FIRST), ...records.slice(KEEP_FIRST + excess)],
    dropped: chain.dropped + excess,
    cost: totalCost,
  };
}

/** Marks what the toolkit's interceptors exchange, so user values are never mistaken for them. */
export const CHAIN_MARKER = 'temporal-resilience/attempt-chain@1';

/** Heartbeat details the activity interceptor keeps between attempts (user details ride along in `user`). */
export interface ChainHeartbeat {
  readonly marker: typeof CHAIN_MARKER;
  readonly chain: AttemptChain;
  /** The attempt running now: if the next attempt finds it here without an end, it was lost. */
  readonly current?: AttemptRecord;
  readonly user?: unknown;
}

/** A successful activity's result as it travels to the workflow interceptor, which unwraps it. */
export interface ResultEnvelope {
  readonly marker: typeof CHAIN_MARKER;
  readonly result: unknown;
  readonly chain: AttemptChain;
}

/** True for a {@link ChainHeartbeat} or {@link ResultEnvelope} (or a failure detail carrying a chain). */
export function hasChainMarker(
  value: unknown,
): value is { marker: typeof CHAIN_MARKER; chain: AttemptChain } {
  return (
    typeof value === 'object' && value !== null && (value as { marker?: unknown }).marker === CHAIN_MARKER
  );
}

/** True for a {@link ResultEnvelope}. */
export function isResultEnvelope(value: unknown): value is ResultEnvelope {
  return hasChainMarker(value) && 'result' in value;
}
