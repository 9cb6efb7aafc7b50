import { workflowInfo } from '@temporalio/workflow';
import { deriveIdempotencyKey, type IdempotencyScope } from '../src/idempotency/idempotency-key';

/**
 * The idempotency key the activity side derives for `stepName` in this workflow: the same value
 * `idempotencyKey()` returns inside that step's activity. Useful to hand the key to a child workflow or a signal.
 */
export function idempotencyKeyFor(stepName: string, scope: IdempotencyScope = 'workflow'): string {
  const info = workflowInfo();
  return deriveIdempotencyKey({
    namespace: info.namespace,
    workflowId: info.workflowId,
    runId: info.runId,
    stepName,
    scope,
  });
}
