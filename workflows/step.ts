import { AsyncLocalStorage } from '@temporalio/workflow';

const stepStorage = new AsyncLocalStorage<string>();

/**
 * Names the business step of the activities `fn` schedules, e.g. `step('charge-card', () => acts.chargeCard(order))`.
 *
 * The name, not the activity type, is what the idempotency key is derived from: give the same name to the same
 * business intent and a different name to a different one. Without `step`, an activity is named by its type and
 * its occurrence in the workflow (`chargeCard#1`, `chargeCard#2`), which is deterministic under replay but shifts
 * when code before it changes to schedule more of the same type.
 */
export function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TypeError(`step(name, fn): name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  return stepStorage.run(name, fn);
}

/** The step name set by the innermost enclosing {@link step}, if any. */
export function currentStepName(): string | undefined {
  return stepStorage.getStore();
}
