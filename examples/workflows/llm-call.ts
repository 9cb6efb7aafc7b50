import { proxyActivities } from '@temporalio/workflow';
import {
  activityOptions,
  setBudget,
  workflowAttempts,
  workflowCost,
  type AttemptRecord,
  type Cost,
} from '../../workflows';
import type * as activities from '../activities';

/** Input of {@link llmCallWorkflow}. */
export interface LlmCallInput {
  readonly baseUrl: string;
  readonly prompt: string;
  /** Stop spending once the workflow's cost reaches this many dollars. */
  readonly budgetUsd?: number;
  readonly maximumAttempts?: number;
  /** Milliseconds before the first retry. @default 200 */
  readonly initialIntervalMs?: number;
}

/** What {@link llmCallWorkflow} returns: the reply and what it cost, failed attempts included. */
export interface LlmCallResult {
  readonly text: string;
  readonly cost: Cost;
  readonly attempts: AttemptRecord[];
}

/** One LLM call under a budget; the workflow sees its own cost and every attempt's record. */
export async function llmCallWorkflow(input: LlmCallInput): Promise<LlmCallResult> {
  if (input.budgetUsd !== undefined) setBudget(input.budgetUsd);
  const { chat } = proxyActivities<typeof activities>(
    activityOptions('llm', {
      retry: { initialInterval: input.initialIntervalMs ?? 200, maximumAttempts: input.maximumAttempts ?? 6 },
    }),
  );
  const text = await chat(input.baseUrl, input.prompt);
  return { text, cost: workflowCost(), attempts: workflowAttempts() };
}
