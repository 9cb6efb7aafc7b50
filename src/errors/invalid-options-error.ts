/**
 * An option given to the toolkit is invalid. Thrown at start-up or proxy creation, never at the first failure, so a
 * bad setting cannot hide until production retries.
 */
export class InvalidOptionsError extends Error {
  /** Brand checked by {@link isInvalidOptionsError}, robust across duplicate installs of this package. */
  readonly isInvalidOptionsError = true as const;
  override readonly name = 'InvalidOptionsError';

  constructor(
    /** Dotted path of the offending option, e.g. `retry.maximumAttempts`. */
    readonly option: string,
    /** What is wrong and how to fix it. */
    readonly problem: string,
    /** The value given. */
    readonly value?: unknown,
  ) {
    super(`Invalid option ${option}${value === undefined ? '' : ` (${describe(value)})`}: ${problem}`);
  }
}

/** True when `e` is an {@link InvalidOptionsError}, even one from another copy of this package. */
export function isInvalidOptionsError(e: unknown): e is InvalidOptionsError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isInvalidOptionsError?: unknown }).isInvalidOptionsError === true
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeof value;
}
