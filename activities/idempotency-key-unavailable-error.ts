/** `idempotencyKey()` was called where no key exists. The message says how to fix it. */
export class IdempotencyKeyUnavailableError extends Error {
  /** Brand checked by {@link isIdempotencyKeyUnavailableError}. */
  readonly isIdempotencyKeyUnavailableError = true as const;
  override readonly name = 'IdempotencyKeyUnavailableError';

  constructor(readonly why: 'outside-activity' | 'not-registered') {
    super(
      why === 'outside-activity'
        ? 'idempotencyKey() was called outside an activity. Call it inside the activity function, where the step it ' +
            'belongs to is known.'
        : 'idempotencyKey() found no step for this activity: the toolkit is not registered on the worker, or the ' +
            'activity was scheduled by a workflow without its workflow interceptor. Register it with ' +
            '`Worker.create({ ..., plugins: [resiliencePlugin()] })` (or add `createResilienceInterceptors()` to ' +
            '`interceptors`, including its `workflowModules`).',
    );
  }
}

/** True when `e` is an {@link IdempotencyKeyUnavailableError}, even from another copy of this package. */
export function isIdempotencyKeyUnavailableError(e: unknown): e is IdempotencyKeyUnavailableError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isIdempotencyKeyUnavailableError?: unknown }).isIdempotencyKeyUnavailableError === true
  );
}
