import { parseResetMs, parseRetryAfterMs } from '../src/classification/retry-after';
import { normalizeHeaders } from '../src/classification/classify-http';
import type { ClassKind } from '../src/classification/classification';
import type { CircuitOptions } from './tool-circuit';

/**
 * Per-tool options: pacing (off until configured, except the adaptive concurrency limit after a CAP) and the
 * circuit breaker.
 */
export interface ToolLimitOptions {
  /** The provider's known request rate limit, per second. The worker stays under `headroom ×` this. */
  readonly requestsPerSecond?: number;
  /** Fraction of the known limits actually used: room for other clients and clock skew. @default 0.8 */
  readonly headroom?: number;
  /** Upper bound of concurrent calls. @default unlimited until the first CAP */
  readonly maxConcurrency?: number;
  /** How long an attempt may wait in the worker for a slot or token before giving the wait back to the server. @default 5_000 */
  readonly maxQueueWaitMs?: number;
  /** Longest Retry-After that pauses the tool (WAIT); a longer one holds it shut (STOP). @default 60_000 */
  readonly maxWaitMs?: number;
  /** The tool's circuit breaker. @default see {@link CircuitOptions} */
  readonly circuit?: CircuitOptions;
}

/** A slot granted by {@link ToolLimiter.acquire}; release it exactly once with the outcome. */
export interface ToolPermit {
  readonly granted: true;
  release(outcome: 'success' | 'cap' | 'other'): void;
}

/** The limiter refused: the attempt should end now and retry after `retryAfterMs`, without calling the tool. */
export interface ToolRefusal {
  readonly granted: false;
  readonly kind: Extract<ClassKind, 'wait' | 'cap' | 'stop'>;
  /** `tool-paused`, `rate-limit`, `concurrency-limit`, or for `stop` the reason the tool was held shut. */
  readonly reason: string;
  readonly retryAfterMs: number;
}

/** Defaults of {@link ToolLimitOptions}. */
export const DEFAULT_TOOL_LIMITS = { headroom: 0.8, maxQueueWaitMs: 5_000, maxWaitMs: 60_000 } as const;

/** A snapshot for health endpoints and tests. */
export interface ToolLimiterState {
  readonly inFlight: number;
  /** Current concurrency limit (Infinity when none applies). */
  readonly concurrencyLimit: number;
  /** Epoch ms before which the tool is not called, if paused. */
  readonly pausedUntilMs?: number;
  /** Epoch ms until which attempts fail at once as STOP (a quota window), and why. */
  readonly heldUntilMs?: number;
  readonly holdReason?: string;
  readonly capEvents: number;
}

interface Waiter {
  resolve: (granted: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * Paces one tool in one worker: a token bucket under the known rate limit, a concurrency limit that halves on CAP and
 * grows back by one slot per `limit` successes (additive increase, multiplicative decrease), and a pause when the
 * provider says so (Retry-After, or rate-limit headers showing the budget nearly spent).
 *
 * Every concurrent activity execution of the tool in this worker shares one limiter, so ten parallel workflows act
 * as one polite caller instead of ten rude ones.
 */
export class ToolLimiter {
  private inFlight = 0;
  private limit: number;
  private tokens: number;
  private lastRefillMs: number;
  private pausedUntilMs = 0;
  /** The activity whose provider answer set the pause: its own retry was already delayed by the server. */
  private pauseOwner: string | undefined;
  private heldUntilMs = 0;
  private holdReason = '';
  private capEvents = 0;
  private readonly waiters: Waiter[] = [];
  private readonly headroom: number;
  private readonly maxQueueWaitMs: number;

  constructor(
    readonly toolKey: string,
    private readonly options: ToolLimitOptions = {},
  ) {
    this.headroom = options.headroom ?? DEFAULT_TOOL_LIMITS.headroom;
    this.maxQueueWaitMs = options.maxQueueWaitMs ?? DEFAULT_TOOL_LIMITS.maxQueueWaitMs;
    this.limit = options.maxConcurrency ?? Infinity;
    this.tokens = this.bucketSize();
    this.lastRefillMs = -Infinity;
  }

  /**
   * Waits (at most `maxQueueWaitMs`) for the tool to be callable, then takes a slot; or refuses.
   *
   * `now` is the provider's clock: real time. (Tests pass their own.)
   */
  async acquire(now: () => number = Date.now, owner?: string): Promise<ToolPermit | ToolRefusal> {
    const waitStartMs = Date.now();
    const held = this.heldUntilMs - now();
    if (held > 0) return this.refuse('stop', this.holdReason, held);
    const pause = owner !== undefined && owner === this.pauseOwner ? 0 : this.pausedUntilMs - now();
    if (pause > 0) {
      if (pause > this.maxQueueWaitMs) return this.refuse('wait', 'tool-paused', pause);
      await sleep(pause);
    }
    const tokenWait = this.takeToken(now());
    if (tokenWait > 0) {
      if (tokenWait > this.maxQueueWaitMs - (Date.now() - waitStartMs))
        return this.refuse('wait', 'rate-limit', tokenWait);
      await sleep(tokenWait);
      this.tokens = Math.max(0, this.tokens - 1);
    }
    if (this.inFlight >= Math.floor(this.limit)) {
      const granted = await this.queue(Math.max(0, this.maxQueueWaitMs - (Date.now() - waitStartMs)));
      if (!granted) return this.refuse('cap', 'concurrency-limit', this.maxQueueWaitMs);
    } else {
      this.inFlight++;
    }
    let released = false;
    return {
      granted: true,
      release: (outcome) => {
        if (released) return;
        released = true;
        this.inFlight--;
        if (outcome === 'cap') this.onCap();
        else if (outcome === 'success') this.onSuccess();
        this.wakeWaiters();
      },
    };
  }

  /**
   * Reads a provider's answer: `Retry-After` on 429/503 pauses the tool; `RateLimit-Remaining`/`RateLimit-Reset`,
   * `x-ratelimit-remaining-requests`/`x-ratelimit-reset-requests` (and `-limit-`) slow it down before the wall: at 0
   * remaining it pauses until the reset; below `(1 − headroom)` of the limit it spaces calls over the reset window.
   */
  observe(status: number, rawHeaders: unknown, now: number = Date.now(), owner?: string): void {
    const headers = normalizeHeaders(rawHeaders);
    if (status === 429 || status === 503) {
      const retryAfterMs = parseRetryAfterMs(headers['retry-after'], now);
      if (
        retryAfterMs !== undefined &&
        retryAfterMs > (this.options.maxWaitMs ?? DEFAULT_TOOL_LIMITS.maxWaitMs)
      ) {
        this.hold(now + retryAfterMs, 'retry-after-long');
      } else if (retryAfterMs !== undefined) this.pauseUntil(now + retryAfterMs, owner);
    }
    const remaining = firstNumber(headers, [
      'ratelimit-remaining',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-remaining',
    ]);
    const resetRaw =
      headers['ratelimit-reset'] ?? headers['x-ratelimit-reset-requests'] ?? headers['x-ratelimit-reset'];
    const limit = firstNumber(headers, [
      'ratelimit-limit',
      'x-ratelimit-limit-requests',
      'x-ratelimit-limit',
    ]);
    if (remaining === undefined || resetRaw === undefined) return;
    let resetMs = parseResetMs(resetRaw);
    // Some providers send the reset as epoch seconds rather than a delay.
    if (resetMs !== undefined && resetMs > 1e12) resetMs = Math.max(0, resetMs - now);
    if (resetMs === undefined) return;
    if (remaining <= 0) this.pauseUntil(now + resetMs);
    else if (limit !== undefined && remaining < limit * (1 - this.headroom))
      this.pauseUntil(now + resetMs / (remaining + 1));
  }

  /**
   * Holds every call of this tool until `untilMs` (never shortens an existing pause). Attempts of `owner` (the
   * activity that got the provider's answer) are exempt: the server already delays its retry by as much.
   */
  pauseUntil(untilMs: number, owner?: string): void {
    if (!Number.isFinite(untilMs) || untilMs <= this.pausedUntilMs) return;
    this.pausedUntilMs = untilMs;
    this.pauseOwner = owner;
  }

  /**
   * Holds the tool shut until `untilMs`: a quota window is gone, so every attempt until then fails at once as STOP
   * with `reason`, without calling the provider.
   */
  hold(untilMs: number, reason: string): void {
    if (Number.isFinite(untilMs) && untilMs > this.heldUntilMs) {
      this.heldUntilMs = untilMs;
      this.holdReason = reason;
    }
  }

  /** True while calls are in flight or waiting (the registry must not evict it). */
  get busy(): boolean {
    return this.inFlight > 0 || this.waiters.length > 0;
  }

  /** A snapshot for health endpoints and tests. */
  state(now: number = Date.now()): ToolLimiterState {
    const paused = this.pausedUntilMs > now ? { pausedUntilMs: this.pausedUntilMs } : {};
    const held = this.heldUntilMs > now ? { heldUntilMs: this.heldUntilMs, holdReason: this.holdReason } : {};
    return {
      inFlight: this.inFlight,
      concurrencyLimit: this.limit,
      capEvents: this.capEvents,
      ...paused,
      ...held,
    };
  }

  private onCap(): void {
    this.capEvents++;
    // Halve what was actually in flight when the provider pushed back, not a limit that was never reached.
    const base = Number.isFinite(this.limit) ? this.limit : this.inFlight + 1;
    this.limit = Math.max(1, Math.floor(base / 2));
  }

  private onSuccess(): void {
    if (!Number.isFinite(this.limit)) return;
    const max = this.options.maxConcurrency ?? Infinity;
    this.limit = Math.min(max, this.limit + 1 / this.limit);
  }

  private bucketSize(): number {
    const rps = this.options.requestsPerSecond;
    return rps === undefined ? Infinity : Math.max(1, rps * this.headroom);
  }

  /** Takes a token if one is there (returns 0), else returns how long until one will be. */
  private takeToken(now: number): number {
    const rps = this.options.requestsPerSecond;
    if (rps === undefined) return 0;
    const rate = (rps * this.headroom) / 1000;
    const elapsed = Math.max(0, now - this.lastRefillMs);
    this.tokens = Math.min(this.bucketSize(), this.tokens + elapsed * rate);
    this.lastRefillMs = Math.max(this.lastRefillMs, now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / rate);
  }

  private queue(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private wakeWaiters(): void {
    while (this.waiters.length > 0 && this.inFlight < Math.floor(this.limit)) {
      const waiter = this.waiters.shift()!;
      clearTimeout(waiter.timer);
      this.inFlight++;
      waiter.resolve(true);
    }
  }

  private refuse(
    kind: ToolRefusal['kind'],
    reason: ToolRefusal['reason'],
    retryAfterMs: number,
  ): ToolRefusal {
    return { granted: false, kind, reason, retryAfterMs: Math.max(0, Math.ceil(retryAfterMs)) };
  }
}

function firstNumber(headers: Record<string, string>, names: readonly string[]): number | undefined {
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
