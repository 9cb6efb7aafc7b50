/**
 * @module temporal-resilience/src/containment/concurrency-limit
 *
 * Concurrency limit algorithms: a pure update of one number (plus what the algorithm remembers), pluggable behind
 * {@link ConcurrencyLimit}. Safe anywhere.
 */

/** What a limit algorithm keeps between updates: JSON, so it can live in a shared store. */
export interface LimitState {
  /** The limit now (may be fractional; callers use its floor, at least 1). */
  readonly value: number;
  /** Growing by one slot per answered call (TCP slow start) until the first CAP. */
  readonly slowStart: boolean;
  /** Congestion epoch: bumped by each decrease, so CAPs from calls issued before a decrease are ignored. */
  readonly epoch: number;
  /** The limit at which the last CAP came: growth near it is slow, since the tool said no there. */
  readonly ceiling?: number;
  /** When the last decrease happened (epoch ms). */
  readonly decreasedAtMs?: number;
  /**
   * The burst the last decrease answered: the calls in flight at its first CAP, and how many CAPs that burst has
   * brought so far. What got through (`inFlight - caps`) is what the tool took at once.
   */
  readonly burst?: { readonly inFlight: number; readonly caps: number };
}

/** One outcome of a call, as a limit algorithm sees it. */
export interface LimitSample {
  readonly nowMs: number;
  /** Calls in flight when this one was answered, itself included. */
  readonly inFlight: number;
  /** The epoch the call was issued in. */
  readonly epoch: number;
}

/**
 * A concurrency limit algorithm. `onCap` reacts to a provider's "too many at once" (a 429 without Retry-After);
 * `onSuccess` to any answered call that was not a CAP. Both are pure.
 */
export interface ConcurrencyLimit {
  initial(learned?: LimitState): LimitState;
  onSuccess(state: LimitState, sample: LimitSample): LimitState;
  onCap(state: LimitState, sample: LimitSample): LimitState;
}

/** Settings of {@link aimdLimit}. */
export interface AimdSettings {
  /** The first wave's size for a tool never seen: small, so 30 first calls against a quota cost about 2. */
  readonly initial: number;
  readonly min: number;
  /** Upper bound; `Infinity` when the user configured none. */
  readonly max: number;
  /** Cut factor on a CAP, applied to the calls in flight at that moment. */
  readonly backoffRatio: number;
  /** Near the last CAP's limit, growth is this many times slower: probing a known wall costs 429s. */
  readonly ceilingSlowdown: number;
}

/** Defaults of {@link AimdSettings}. */
export const DEFAULT_AIMD: AimdSettings = {
  initial: 2,
  min: 1,
  max: Infinity,
  backoffRatio: 0.9,
  ceilingSlowdown: 10,
};

/**
 * Loss-based AIMD for fast 429s (latency-gradient algorithms see no signal in a 429 that comes back in 2 ms):
 * slow start (+1 per answered call while the limit is in use) until the first CAP; then on each CAP cut to
 * `backoffRatio ×` the calls in flight, once per congestion epoch, and down to what the burst got through as its
 * other CAPs arrive; grow by `1/limit` per answered call, and
 * `ceilingSlowdown` times slower within one slot of the limit where the last CAP came.
 */
export function aimdLimit(settings: AimdSettings = DEFAULT_AIMD): ConcurrencyLimit {
  const clamp = (value: number) => Math.max(settings.min, Math.min(settings.max, value));
  return {
    initial(learned) {
      if (learned) return { ...learned, value: clamp(learned.value) };
      // A configured maximum is the user telling us the capacity: start there.
      const value = Number.isFinite(settings.max) ? settings.max : clamp(settings.initial);
      return { value, slowStart: !Number.isFinite(settings.max), epoch: 0 };
    },
    onSuccess(state, sample) {
      // Grow only while the limit is what holds calls back (half of it in use), like TCP's cwnd-limited rule.
      if (sample.inFlight * 2 < state.value || state.value >= settings.max) return state;
      if (state.slowStart) return { ...state, value: clamp(state.value + 1) };
      const nearCeiling = state.ceiling !== undefined && state.value + 1 >= state.ceiling;
      const step = 1 / Math.max(1, state.value) / (nearCeiling ? settings.ceilingSlowdown : 1);
      return { ...state, value: clamp(state.value + step) };
    },
    onCap(state, sample) {
      // One decrease per congestion epoch: the calls in flight when the limit was cut are one burst. A CAP for a call
      // sent after the cut means the new limit is still too high, however soon it came (a time window here would let
      // such calls be re-sent into the same wall).
      if (sample.epoch < state.epoch) {
        // A later CAP from the burst just cut is not a new decrease, but it is a count: of the calls in flight at
        // the first CAP, one more did not get through. What did is the tool's capacity, as measured, and the limit
        // comes down to it (a cut to 0.9 x 4 in flight leaves 3 against a capacity of 2: one 429 more).
        if (sample.epoch !== state.epoch - 1 || !state.burst) return state;
        const burst = { inFlight: state.burst.inFlight, caps: state.burst.caps + 1 };
        const took = clamp(burst.inFlight - burst.caps);
        return {
          ...state,
          value: Math.min(state.value, took),
          ceiling: Math.min(state.ceiling ?? Infinity, took + 1),
          burst,
        };
      }
      const cut = clamp(Math.floor(sample.inFlight * settings.backoffRatio));
      return {
        value: Math.min(state.value, cut),
        slowStart: false,
        epoch: state.epoch + 1,
        ceiling: Math.max(cut + 1, Math.floor(sample.inFlight)),
        decreasedAtMs: sample.nowMs,
        burst: { inFlight: sample.inFlight, caps: 1 },
      };
    },
  };
}
