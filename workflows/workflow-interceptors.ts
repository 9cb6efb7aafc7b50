/**
 * @module temporal-resilience/workflows/workflow-interceptors
 *
 * The workflow interceptors module the plugin registers (`workflowModules`). Runs in the workflow sandbox.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type {
  ActivityInput,
  LocalActivityInput,
  Next,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { HEADERS } from '../src/headers';
import { currentStepName } from './step';

/**
 * Gives every scheduled activity a step name header: the enclosing {@link step}'s name, or the activity type plus its
 * occurrence in this workflow run (`chargeCard#1`). Scheduling order is deterministic, so the numbering is too.
 */
export class StepNameWorkflowOutboundInterceptor implements WorkflowOutboundCallsInterceptor {
  private readonly occurrences = new Map<string, number>();

  scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ): Promise<unknown> {
    return next({ ...input, headers: this.withStep(input.activityType, input.headers) });
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    return next({ ...input, headers: this.withStep(input.activityType, input.headers) });
  }

  private withStep(activityType: string, headers: ActivityInput['headers']): ActivityInput['headers'] {
    const occurrence = (this.occurrences.get(activityType) ?? 0) + 1;
    this.occurrences.set(activityType, occurrence);
    const name = currentStepName() ?? `${activityType}#${occurrence}`;
    return { ...headers, [HEADERS.step]: defaultPayloadConverter.toPayload(name) };
  }
}

/** Called by the SDK once per workflow execution. */
export function interceptors(): WorkflowInterceptors {
  return { outbound: [new StepNameWorkflowOutboundInterceptor()] };
}
