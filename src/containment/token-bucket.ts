/**
 * @module temporal-resilience/src/containment/token-bucket
 *
 * A token bucket as plain data: request pacing under a known rate, and token (LLM tokens per minute) pacing.
 * Safe anywhere; time is a parameter.
 */

/** A bucket: `tokens` of `capacity`, refilled at `refillPerMs`. JSON, so it can live in a shared store. */
export interface TokenBucket {
  readonly capacity: number;
  readonly tokens: number;
  readonly refillPerMs: number;
  readonly updatedAtMs: number;
}

/** A full bucket of `capacity` refilled at `perSecond`. */
export function bucketOf(capacity: number, perSecond: number, nowMs: number): TokenBucket {
  return { capacity, tokens: capacity, refillPerMs: perSecond / 1000, updatedAtMs: nowMs };
}

/** The bucket refilled up to `nowMs`. */
export function refill(bucket: TokenBucket, nowMs: number): TokenBucket {
  const elapsed = Math.max(0, nowMs - bucket.updatedAtMs);
  if (elapsed === 0) return bucket;
  const tokens = Math.min(bucket.capacity, bucket.tokens + elapsed * bucket.refillPerMs);
  return { ...bucket, tokens, updatedAtMs: Math.max(bucket.updatedAtMs, nowMs) };
}

/**
 * Takes `amount` tokens if they are there; otherwise says how long until they will be (`waitMs`). A request larger
 * than the capacity waits for a full bucket, then goes (it could never go otherwise).
 */
export function take(
  bucket: TokenBucket,
  amount: number,
  nowMs: number,
): { readonly bucket: TokenBucket; readonly waitMs: number } {
  const current = refill(bucket, nowMs);
  const needed = Math.min(amount, current.capacity);
  if (current.tokens >= needed) return { bucket: { ...current, tokens: current.tokens - amount }, waitMs: 0 };
  if (current.refillPerMs <= 0) return { bucket: current, waitMs: Infinity };
  return { bucket: current, waitMs: Math.ceil((needed - current.tokens) / current.refillPerMs) };
}

/** Gives back (or charges more than) what was taken: an estimate corrected by what a call really used. */
export function adjust(bucket: TokenBucket, delta: number, nowMs: number): TokenBucket {
  const current = refill(bucket, nowMs);
  return { ...current, tokens: Math.min(current.capacity, current.tokens + delta) };
}

/**
 * Matches the bucket to what the provider says is left: `remaining` of `limit`, full again in `resetMs`. Keeps
 * `(1 − headroom) × limit` in reserve for other clients, and refills at the rate that would make it full at the reset.
 */
export function syncBucket(
  bucket: TokenBucket | undefined,
  reported: { readonly limit: number; readonly remaining: number; readonly resetMs: number },
  headroom: number,
  inFlight: number,
  nowMs: number,
): TokenBucket {
  const capacity = Math.max(1, reported.limit * headroom);
  const reserve = reported.limit * (1 - headroom);
  const missing = reported.limit - reported.remaining;
  const refillPerMs =
    missing > 0 && reported.resetMs > 0
      ? missing / reported.resetMs
      : (bucket?.refillPerMs ?? capacity / 60_000);
  // Calls already sent but not yet answered will spend from `remaining` too.
  const tokens = Math.min(capacity, reported.remaining - reserve - Math.max(0, inFlight));
  return { capacity, tokens, refillPerMs, updatedAtMs: nowMs };
}
