import {
  appendRecord,
  CHAIN_MARKER,
  hasChainMarker,
  type AttemptChain,
  type AttemptRecord,
  type ChainHeartbeat,
} from '../src/attempts/attempt-record';
import { ZERO_COST } from '../src/cost/cost';

/** No attempts yet. */
export const EMPTY_CHAIN: AttemptChain = { records: [], dropped: 0, cost: ZERO_COST };

/**
 * The chain the previous attempt left in the heartbeat details. If it names an attempt in progress that never
 * recorded an end, that attempt was lost (its worker died, or it timed out): it is added as `lost`, so the gap is
 * visible instead of silent.
 */
export function chainFromHeartbeat(details: unknown, currentAttempt: number): AttemptChain {
  if (!hasChainMarker(details)) return EMPTY_CHAIN;
  const { chain, current } = details as ChainHeartbeat;
  if (
    current &&
    current.attempt < currentAttempt &&
    !chain.records.some((r) => r.attempt === current.attempt)
  ) {
    return appendRecord(chain, { ...current, outcome: 'lost' }, chain.cost);
  }
  return chain;
}

/** Heartbeat details carrying the chain, the attempt in progress and the user's own details. */
export function chainHeartbeat(
  chain: AttemptChain,
  current: AttemptRecord | undefined,
  user?: unknown,
): ChainHeartbeat {
  return {
    marker: CHAIN_MARKER,
    chain,
    ...(current ? { current } : {}),
    ...(user !== undefined ? { user } : {}),
  };
}
