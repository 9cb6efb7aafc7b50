import { Context } from '@temporalio/activity';
import { hasChainMarker } from '../src/attempts/attempt-record';
import { currentAttemptContext } from './attempt-context';

/**
 * Heartbeats like `Context.current().heartbeat(details)`, but keeps the toolkit's attempt records in the details.
 * Use it instead of the SDK's: a plain heartbeat replaces the details, and the earlier attempts' records (and their
 * cost, which the budget counts) would be lost.
 */
export function heartbeat(details?: unknown): void {
  const context = currentAttemptContext();
  if (context?.heartbeat) context.heartbeat(details);
  else Context.current().heartbeat(details);
}

/** The details the previous attempt last heartbeated with {@link heartbeat}, without the toolkit's records. */
export function heartbeatDetails<T = unknown>(): T | undefined {
  const details: unknown = Context.current().info.heartbeatDetails;
  return (hasChainMarker(details) ? (details as { user?: unknown }).user : details) as T | undefined;
}
