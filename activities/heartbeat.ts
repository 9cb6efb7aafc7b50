import { Context } from '@temporalio/activity';
import { hasChainMarker } from '../src/attempts/attempt-record';
import { currentAttemptContext } from './attempt-context';

/**
 * Heartbeats exactly like `Context.current().heartbeat(details)`: the details are the user's, unchanged, and the
 * next attempt reads them back with {@link heartbeatDetails} or `activityInfo().heartbeatDetails`. The toolkit's
 * attempt chain travels beside them in the payload's metadata, whichever of the two functions is called.
 */
export function heartbeat(details?: unknown): void {
  const context = currentAttemptContext();
  if (context?.heartbeat) context.heartbeat(details);
  else Context.current().heartbeat(details);
}

/**
 * The details the previous attempt last heartbeated (`undefined` if it never did): the same value as
 * `activityInfo().heartbeatDetails`. Details an earlier toolkit version wrapped are unwrapped.
 */
export function heartbeatDetails<T = unknown>(): T | undefined {
  const details: unknown = Context.current().info.heartbeatDetails;
  return (hasChainMarker(details) ? (details as { user?: unknown }).user : details) as T | undefined;
}
