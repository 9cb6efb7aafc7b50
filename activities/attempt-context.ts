import { AsyncLocalStorage } from 'node:async_hooks';
import type { Cost, CostEntry } from '../src/cost/cost';

/** What a response tells the tool's shared pacing state. */
export interface ResponseObserver {
  observe(status: number, headers: unknown): void;
}

/**
 * Per-attempt state the worker interceptor shares with helpers called inside the activity (`resilientFetch`,
 * `idempotencyKey`, `recordCost`, `heartbeat`), without threading it through user code.
 */
export interface AttemptContext {
  /** The tool this attempt counts against. */
  readonly toolKey: string;
  /** The tool's shared limiter, told about every response so it can slow down before the provider's wall. */
  readonly limiter?: ResponseObserver;
  /** The step name the workflow interceptor sent, when it is registered. */
  readonly stepName?: string;
  /** The step's idempotency key, derived from the step name. */
  readonly idempotencyKey?: string;
  /** Adds to this attempt's cost; returns the priced entry. */
  readonly recordCost?: (entry: CostEntry) => Cost;
  /** Heartbeats the user's details; the attempt chain travels beside them (payload metadata). */
  readonly heartbeat?: (userDetails?: unknown) => void;
}

const storage = new AsyncLocalStorage<AttemptContext>();

/** Runs `fn` with `context` visible to {@link currentAttemptContext}. Used by the activity interceptor. */
export function runWithAttemptContext<T>(context: AttemptContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(context, fn);
}

/** The current attempt's context, or `undefined` outside an attempt run by the toolkit's interceptor. */
export function currentAttemptContext(): AttemptContext | undefined {
  return storage.getStore();
}
