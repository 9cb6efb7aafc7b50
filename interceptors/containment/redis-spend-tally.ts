/**
 * @module temporal-resilience/interceptors/containment/redis-spend-tally
 *
 * A {@link SpendTally} in Redis, so a workflow's budget holds across every worker of a fleet: each `recordCost()`
 * adds to one counter per workflow execution, atomically (a Lua script: `INCRBY` and `PEXPIRE` in one step), and the
 * budget check before each attempt reads it. Amounts are kept as whole micro-dollars, the same rounding as the
 * in-memory tally, so that no float drift builds up over thousands of additions.
 *
 * Faults never stop work: each call has a short deadline, and a tally that cannot reach Redis answers with what this
 * worker itself has recorded (a lower bound, like the in-memory tally), and leaves Redis alone for `retryMs` so that
 * attempts do not each wait out a deadline while Redis is away. Runs in the worker (Node).
 */
import { InMemorySpendTally, type SpendTally } from '../spend-tally';
import type { RedisClient } from './redis-client';
import { RedisDeadline } from './redis-deadline';

/** Default of {@link RedisSpendTallyOptions.ttlMs}: 7 days, longer than most workflows that set a budget run. */
export const DEFAULT_SPEND_TTL_MS = 7 * 24 * 3_600_000;

/** Options of {@link RedisSpendTally}. */
export interface RedisSpendTallyOptions {
  /**
   * A connected `ioredis` client (`redisStore()` passes its own). Give it `enableOfflineQueue: false` so commands fail
   * fast while Redis is away. The tally never quits it.
   */
  readonly client: RedisClient;
  /** Prefix of every key; the tally's keys are `<prefix>spend:<namespace>/<workflowId>/<runId>`. @default 'temporal-resilience:' */
  readonly keyPrefix?: string;
  /** Deadline of one call; past it the worker answers from its own tally. @default 250 */
  readonly callTimeoutMs?: number;
  /**
   * An execution's spend expires this long after its last addition, so finished workflows leave nothing behind. A
   * workflow that records nothing for longer loses its fleet-wide tally (its own ledger, carried by the budget
   * header, still bounds it). @default 604_800_000 (7 days)
   */
  readonly ttlMs?: number;
  /** After a failed call, Redis is tried again at most once per this long. @default 1_000 */
  readonly retryMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/**
 * Adds whole micro-dollars to an execution's spend and renews its expiry. KEYS[1]: the counter; ARGV: micro-dollars,
 * TTL (ms). Returns the new total in micro-dollars.
 */
const ADD_SCRIPT = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return total
`;

/** The {@link SpendTally} of a fleet of workers sharing one Redis (made for you by `redisStore().spendTally()`). */
export class RedisSpendTally implements SpendTally {
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly callTimeoutMs: number;
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  /** What this worker recorded: the answer while Redis is away, and a floor under Redis's answer. */
  private readonly own = new InMemorySpendTally();
  private addSha: string | undefined;
  private failedAtMs = -Infinity;
  private readonly deadline: RedisDeadline;

  constructor(options: RedisSpendTallyOptions) {
    this.client = options.client;
    this.prefix = options.keyPrefix ?? 'temporal-resilience:';
    this.callTimeoutMs = options.callTimeoutMs ?? 250;
    this.ttlMs = options.ttlMs ?? DEFAULT_SPEND_TTL_MS;
    this.retryMs = options.retryMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.deadline = new RedisDeadline(this.client, this.callTimeoutMs);
  }

  /** True while the last call to Redis failed (less than `retryMs` ago): answers come from this worker's tally. */
  get degraded(): boolean {
    return this.now() - this.failedAtMs < this.retryMs;
  }

  async add(executionKey: string, usd: number): Promise<void> {
    if (!(Number.isFinite(usd) && usd > 0)) return;
    this.own.add(executionKey, usd);
    const micros = Math.round(usd * 1e6);
    if (micros === 0 || this.degraded) return;
    try {
      await this.deadline.run(() => this.runAdd(this.key(executionKey), micros));
    } catch {
      // Not replayed later: a call that timed out may still have been applied, and counting it twice would refuse
      // attempts the budget allows. This worker's own tally and the workflow's ledger still count it.
      this.failedAtMs = this.now();
    }
  }

  async spent(executionKey: string): Promise<number> {
    const own = this.own.spent(executionKey);
    if (this.degraded) return own;
    try {
      const text = await this.deadline.run(() => this.client.get(this.key(executionKey)));
      return Math.max(own, text ? Number(text) / 1e6 : 0);
    } catch {
      this.failedAtMs = this.now();
      return own;
    }
  }

  private key(executionKey: string): string {
    return `${this.prefix}spend:${executionKey}`;
  }

  private async runAdd(key: string, micros: number): Promise<unknown> {
    const args = [key, String(micros), String(this.ttlMs)];
    if (this.addSha) {
      try {
        return await this.client.evalsha(this.addSha, 1, ...args);
      } catch (error) {
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      }
    }
    this.addSha = (await this.client.script('LOAD', ADD_SCRIPT)) as string;
    return this.client.evalsha(this.addSha, 1, ...args);
  }
}
