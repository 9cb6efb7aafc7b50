/**
 * Reference workflows. Activities are imported with `import type` so nothing Node-only enters the sandbox.
 */
import { proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import { activityOptions, type RetryPresetName } from '../../workflows';
import type * as activities from '../activities';

/** Input of {@link callProviderWorkflow}. */
export interface CallProviderInput {
  readonly url: string;
  /**
   * A toolkit preset, or `temporal-default` for Temporal's default retry policy (1 s initial, ×2, unlimited
   * attempts): the baseline "without the toolkit".
   */
  readonly policy?: RetryPresetName | 'temporal-default';
  /** Seconds before the first retry. */
  readonly initialIntervalSeconds?: number;
  readonly maximumAttempts?: number;
  /** The activity's whole time budget across attempts, in seconds (Temporal's `scheduleToCloseTimeout`). */
  readonly scheduleToCloseSeconds?: number;
  /** Use the plain-fetch activity (errors unclassified by the activity itself). */
  readonly plain?: boolean;
  /** How long the activity waits for response headers. @default 10_000 */
  readonly responseTimeoutMs?: number;
}

/** Calls the provider once through an activity and returns its reply. */
export async function callProviderWorkflow(input: CallProviderInput): Promise<activities.ProviderReply> {
  const { callProvider, callProviderPlain } = proxyActivities<typeof activities>(optionsFor(input));
  return input.plain
    ? callProviderPlain(input.url)
    : callProvider(input.url, { responseTimeoutMs: input.responseTimeoutMs });
}

function optionsFor(input: CallProviderInput): ActivityOptions {
  const retry: RetryPolicy = {
    ...(input.initialIntervalSeconds !== undefined
      ? { initialInterval: input.initialIntervalSeconds * 1000 }
      : {}),
    ...(input.maximumAttempts !== undefined ? { maximumAttempts: input.maximumAttempts } : {}),
  };
  const budget =
    input.scheduleToCloseSeconds !== undefined
      ? { scheduleToCloseTimeout: input.scheduleToCloseSeconds * 1000 }
      : {};
  if (input.policy === 'temporal-default') return { startToCloseTimeout: '30 seconds', retry, ...budget };
  return activityOptions(input.policy ?? 'httpApi', { retry, ...budget });
}

/** Reads a streamed answer under the `llm` preset with the given heartbeat timeout, in one attempt. */
export async function streamWorkflow(url: string, heartbeatTimeoutMs: number): Promise<string> {
  const { streamProvider } = proxyActivities<typeof activities>(
    activityOptions('llm', { heartbeatTimeout: heartbeatTimeoutMs, retry: { maximumAttempts: 1 } }),
  );
  return streamProvider(url);
}
