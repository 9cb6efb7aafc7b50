/**
 * The part of an `ioredis` client the Redis store uses, declared here so this package's type declarations do not
 * depend on `ioredis` (an optional peer: apps without it must type-check). An `ioredis` 5 `Redis` instance fits it.
 */
export interface RedisClient {
  readonly status: string;
  get(key: string): Promise<string | null>;
  hget(key: string, field: string): Promise<string | null>;
  hmget(key: string, ...fields: string[]): Promise<Array<string | null>>;
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  script(subcommand: 'LOAD', script: string): Promise<unknown>;
  scan(
    cursor: string,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[cursor: string, elements: string[]]>;
  pipeline(): RedisPipeline;
  publish(channel: string, message: string): Promise<number>;
  subscribe(...channels: string[]): Promise<unknown>;
  ping(): Promise<string>;
  quit(): Promise<unknown>;
  disconnect(): void;
  /** A new connection with the same options (for the wake-up subscription). */
  duplicate(override?: Record<string, unknown>): RedisClient;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
}

/** A batch of commands sent in one round trip. */
export interface RedisPipeline {
  hget(key: string, field: string): RedisPipeline;
  exec(): Promise<Array<[error: Error | null, result: unknown]> | null>;
}
