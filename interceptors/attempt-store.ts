import type { AttemptChain, AttemptRecord } from '../src/attempts/attempt-record';
import type { ChainWire } from '../src/attempts/chain-wire';

/** Where one activity attempt stands, as the worker's codec and the next attempt in this worker see it. */
export interface LiveAttempt {
  readonly runId: string;
  readonly attempt: number;
  /** Finished attempts (this one included once it ended). */
  chain: AttemptChain;
  /** This attempt while it runs, with the cost recorded so far; `undefined` once it ended. */
  current?: AttemptRecord;
  /** Set when the attempt completed: the next encode of a plain payload for this activity is its result. */
  resultPending?: boolean;
}

/** Entries kept at most; the oldest go first. An entry lives from an attempt's start to its result's encoding. */
const MAX_ENTRIES = 10_000;

/**
 * The worker-wide, in-process table the activity interceptor and the toolkit's payload codec share, keyed by
 * workflow id and activity id (the two ids the SDK gives a codec). It holds each running attempt's chain, so every
 * heartbeat (the toolkit's or the SDK's) and the result can carry the chain in payload metadata, and the chain
 * a heartbeat payload brought back from the server on the next attempt.
 */
export class AttemptStore {
  private readonly live = new Map<string, LiveAttempt>();
  private readonly arrived = new Map<string, ChainWire>();

  /** The key a codec derives from its serialization context and the interceptor from the activity info. */
  static key(workflowId: string | undefined, activityId: string | undefined): string {
    return `${workflowId ?? ''}/${activityId ?? ''}`;
  }

  set(key: string, attempt: LiveAttempt): void {
    this.live.delete(key);
    this.live.set(key, attempt);
    bound(this.live);
  }

  get(key: string): LiveAttempt | undefined {
    return this.live.get(key);
  }

  delete(key: string, attempt: LiveAttempt): void {
    if (this.live.get(key) === attempt) this.live.delete(key);
  }

  /** Keeps the chain a heartbeat payload brought back from the server, for the attempt about to start. */
  arrive(key: string, wire: ChainWire): void {
    this.arrived.delete(key);
    this.arrived.set(key, wire);
    bound(this.arrived);
  }

  /** Takes the chain the server returned with this attempt's heartbeat details, if any. */
  takeArrived(key: string): ChainWire | undefined {
    const wire = this.arrived.get(key);
    this.arrived.delete(key);
    return wire;
  }

  get size(): number {
    return this.live.size + this.arrived.size;
  }
}

function bound<V>(map: Map<string, V>): void {
  while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as string);
}
