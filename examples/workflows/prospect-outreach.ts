import type { Duration } from '@temporalio/common';
import { proxyActivities, sleep } from '@temporalio/workflow';
import { activityOptions, step } from '../../workflows';
import type * as activities from '../activities';

/** Input of {@link prospectOutreachWorkflow}. */
export interface ProspectOutreachInput {
  readonly prospect: activities.Prospect;
  /** Wait before the follow-up. @default '2 days' */
  readonly followUpAfter?: Duration;
}

/**
 * Drafts and sends an intro, waits, then drafts and sends a follow-up. Both sends call `sendEmail`; their step names
 * (`send-intro`, `send-follow-up`) give them different idempotency keys, while every retry of one send reuses its key.
 */
export async function prospectOutreachWorkflow(input: ProspectOutreachInput): Promise<string[]> {
  const llm = proxyActivities<typeof activities>(activityOptions('llm'));
  const email = proxyActivities<typeof activities>(
    activityOptions('httpApi', { retry: { maximumAttempts: 5 } }),
  );
  const { prospect } = input;
  const intro = await llm.draftMessage(prospect, 'intro');
  const first = await step('send-intro', () => email.sendEmail(prospect, intro));
  await sleep(input.followUpAfter ?? '2 days');
  const followUp = await llm.draftMessage(prospect, 'follow-up');
  const second = await step('send-follow-up', () => email.sendEmail(prospect, followUp));
  return [first.id, second.id];
}
