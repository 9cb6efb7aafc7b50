import type { RedisClient } from './redis-client';
import { StoreUnavailableError } from './store-unavailable-error';

/**
 * Every call to Redis under a short deadline, so a slow or absent Redis costs an attempt milliseconds, never a hang:
 * past the deadline the call fails with {@link StoreUnavailableError} and the caller falls back to local state. While
 * the connection is down, callers share one wait for it to come back instead of adding a listener each.
 */
export class RedisDeadline {
  private readyWait: Promise<void> | undefined;

  constructor(
    private readonly client: RedisClient,
    private readonly timeoutMs: number,
  ) {}

  /** Runs `call` once the connection is ready, failing if both together take longer than `timeoutMs`. */
  async run<T>(call: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError('timeout', `no answer from Redis within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      if (this.client.status !== 'ready') await Promise.race([this.whenReady(), deadline]);
      return await Promise.race([call(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private whenReady(): Promise<void> {
    this.readyWait ??= new Promise<void>((resolve) => {
      this.client.once('ready', () => {
        this.readyWait = undefined;
        resolve();
      });
    });
    return this.readyWait;
  }
}
