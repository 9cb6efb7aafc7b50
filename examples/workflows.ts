/**
 * Reference workflows. Activities are imported with `import type` so nothing Node-only enters the sandbox.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities';

/** Input of {@link callProviderWorkflow}. */
export interface CallProviderInput {
  readonly url: string;
  /** Seconds before the first retry (Temporal's own exponential backoff doubles it after). */
  readonly initialIntervalSeconds?: number;
  readonly maximumAttempts?: number;
}

/** Calls the provider once through an activity and returns its reply. */
export async function callProviderWorkflow(input: CallProviderInput): Promise<activities.ProviderReply> {
  const { callProvider } = proxyActivities<typeof activities>({
    startToCloseTimeout: '10 seconds',
    retry: {
      initialInterval: `${input.initialIntervalSeconds ?? 1} seconds`,
      backoffCoefficient: 2,
      maximumAttempts: input.maximumAttempts ?? 5,
    },
  });
  return callProvider(input.url);
}
