import { TemporalFailure, ApplicationFailure } from '@temporalio/common';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import { FAILURE_TYPES } from '../src/failure-types';

const TOOLKIT_TYPES = new Set<string>(Object.values(FAILURE_TYPES));

/**
 * The toolkit's decision record behind a failure, if any: walks the cause chain of what `handle.result()` threw
 * (`WorkflowFailedError` → `ActivityFailure` → `ApplicationFailure`) to the toolkit's failure and returns its record.
 *
 * Lets client code answer "why did this run fail, and would it have retried?" without parsing messages.
 *
 * @example
 * ```ts
 * try { await handle.result(); } catch (e) {
 *   if (retryDecisionOf(e)?.kind === 'stop') routeToFallbackProvider();
 * }
 * ```
 */
export function retryDecisionOf(error: unknown): RetryDecision | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    if (current instanceof ApplicationFailure && current.type && TOOLKIT_TYPES.has(current.type)) {
      const detail = current.details?.[0];
      if (isDecision(detail)) return detail;
    }
    current =
      current instanceof TemporalFailure || current.cause instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

function isDecision(value: unknown): value is RetryDecision {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RetryDecision).kind === 'string' &&
    typeof (value as RetryDecision).failureType === 'string'
  );
}
