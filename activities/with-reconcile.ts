import { Context } from '@temporalio/activity';
import { idempotencyKey } from './idempotency-key';

/** What a reconcile function answers: the effect already happened (with its result), or it did not. */
export type ReconcileOutcome<R> = { readonly done: true; readonly result: R } | { readonly done: false };

/**
 * Wraps a side-effecting activity so that every attempt after the first asks first whether the effect already
 * landed. `reconcile(key, ...args)` looks the effect up by the step's idempotency key (e.g. "list charges with this
 * key"); if it answers `{ done: true, result }`, the activity returns that result without repeating the effect.
 *
 * This closes the gap that idempotency keys leave open: a provider that does not deduplicate, or a timeout after the
 * request was sent where the response (and the result) was lost.
 *
 * @example
 * ```ts
 * export const chargeCard = withReconcile(
 *   async (order: Order) => (await resilientFetch(`${api}/charges`, { method: 'POST', body: json(order) })).json<Charge>(),
 *   async (key) => { const found = await findChargeByKey(key); return found ? { done: true, result: found } : { done: false }; },
 * );
 * ```
 */
export function withReconcile<A extends unknown[], R>(
  activity: (...args: A) => Promise<R>,
  reconcile: (idempotencyKey: string, ...args: A) => Promise<ReconcileOutcome<R>>,
): (...args: A) => Promise<R> {
  const reconciled = async (...args: A): Promise<R> => {
    const context = Context.current();
    if (context.info.attempt > 1) {
      const key = idempotencyKey();
      const outcome = await reconcile(key, ...args);
      if (outcome.done) {
        context.log.info('reconciled: the effect of an earlier attempt already happened; not repeating it', {
          attempt: context.info.attempt,
          idempotencyKey: key,
        });
        return outcome.result;
      }
    }
    return activity(...args);
  };
  // Keep the activity's name: workers register activities by function name.
  Object.defineProperty(reconciled, 'name', { value: activity.name });
  return reconciled;
}
