import { Context } from '@temporalio/activity';
import { IdempotencyKeyUnavailableError } from './idempotency-key-unavailable-error';
import { currentAttemptContext } from './attempt-context';

/**
 * The current step's idempotency key: the same on every attempt, every replay and after a worker crash; different for
 * another step or workflow id. Pass it to providers that take one (Stripe's `idempotencyKey`, an `Idempotency-Key`
 * header); `resilientFetch` sends it by itself.
 *
 * @throws {@link IdempotencyKeyUnavailableError} outside an activity, or when the toolkit is not registered.
 */
export function idempotencyKey(): string {
  const key = currentAttemptContext()?.idempotencyKey;
  if (key !== undefined) return key;
  let inActivity = true;
  try {
    Context.current();
  } catch {
    inActivity = false;
  }
  throw new IdempotencyKeyUnavailableError(inActivity ? 'not-registered' : 'outside-activity');
}
