import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type ScheduleOptions,
  type WorkflowHandleWithFirstExecutionRunId,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/** What {@link startExclusive} did. */
export type ExclusiveStart<T extends Workflow> =
  | { readonly status: 'started'; readonly handle: WorkflowHandleWithFirstExecutionRunId<T> }
  | { readonly status: 'skipped_concurrent_run'; readonly runningRunId: string | undefined };

/**
 * Starts a run under a fixed workflow id unless a run with that id is still going: the cron job that must never
 * overlap itself (incident 3: two runs fighting for one API key while one of them hangs).
 *
 * Uses Temporal's own conflict policy (`workflowIdConflictPolicy: 'FAIL'`, reuse allowed once the previous run has
 * closed), so the server decides atomically; there is no lock of our own to leak.
 *
 * @example
 * ```ts
 * const start = await startExclusive(client, nightlySync, { taskQueue, workflowId: 'nightly-sync', args: [] });
 * if (start.status === 'skipped_concurrent_run') log.info('previous run still going', start.runningRunId);
 * ```
 */
export async function startExclusive<T extends Workflow>(
  client: Client,
  workflow: T | string,
  options: WorkflowStartOptions<T>,
): Promise<ExclusiveStart<T>> {
  if (!options.workflowId)
    throw new TypeError('startExclusive: options.workflowId is required (the id runs are exclusive on)');
  try {
    const handle = await client.workflow.start<T>(workflow, {
      ...options,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: options.workflowIdReusePolicy ?? 'ALLOW_DUPLICATE',
    } as WorkflowStartOptions<T>);
    return { status: 'started', handle };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const running = await client.workflow
      .getHandle(options.workflowId)
      .describe()
      .then((d) => d.runId)
      .catch(() => undefined);
    return { status: 'skipped_concurrent_run', runningRunId: running };
  }
}

/**
 * Schedule options whose runs never overlap: `overlap: 'SKIP'` (a new action is skipped while the previous one still
 * runs). Temporal's default is already SKIP; setting it explicitly documents the intent and survives a changed default.
 */
export function exclusiveScheduleOptions<A extends ScheduleOptions>(options: A): A {
  return { ...options, policies: { ...options.policies, overlap: 'SKIP' } };
}
