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
import { HEADERS, type BudgetHeader } from '../src/headers';
import { currentRoute } from './fallback';
import { ExecutionTelemetryInboundInterceptor } from './execution-telemetry';
import { currentStepName } from './step';
import { installLedger, WorkflowLedger } from './workflow-ledger';

/**
 * Gives every scheduled activity a step name header (the enclosing `step`'s name, or the activity type plus its
 * occurrence in this run, `chargeCard#1`: scheduling order is deterministic, so the numbering is too) and the
 * workflow's budget; takes the attempt chain off each activity's result or failure into the workflow's ledger.
 */
export class ResilienceWorkflowOutboundInterceptor implements WorkflowOutboundCallsInterceptor {
  private readonly occurrences = new Map<string, number>();

  constructor(private readonly ledger: WorkflowLedger) {}

  scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ): Promise<unknown> {
    const headers = this.headers(input.activityType, input.headers);
    const maximumAttempts = input.options.retry?.maximumAttempts;
    if (maximumAttempts === undefined || maximumAttempts <= 1)
      return this.settled(next({ ...input, headers }));
    // Refusals are not attempts: the server may retry without limit, and the activity interceptor allows the policy's
    // `maximumAttempts` in real calls (an attempt refused without a call, circuit open or tool paused, uses none).
    return this.settled(
      next({
        ...input,
        headers: { ...headers, [HEADERS.maxCalls]: defaultPayloadConverter.toPayload(maximumAttempts) },
        // Infinity is the SDK's spelling of "no limit" (0 is rejected as a policy value).
        options: {
          ...input.options,
          retry: { ...input.options.retry, maximumAttempts: Number.POSITIVE_INFINITY },
        },
      }),
    );
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    return this.settled(next({ ...input, headers: this.headers(input.activityType, input.headers) }));
  }

  /** Takes the attempt chain off the activity's result (unwrapping it) or failure, into the ledger. */
  private async settled(activity: Promise<unknown>): Promise<unknown> {
    try {
      return this.ledger.settle(await activity);
    } catch (error) {
      this.ledger.settleFailure(error);
      throw error;
    }
  }

  private headers(activityType: string, headers: ActivityInput['headers']): ActivityInput['headers'] {
    const occurrence = (this.occurrences.get(activityType) ?? 0) + 1;
    this.occurrences.set(activityType, occurrence);
    const name = currentStepName() ?? `${activityType}#${occurrence}`;
    const out: ActivityInput['headers'] = {
      ...headers,
      [HEADERS.step]: defaultPayloadConverter.toPayload(name),
    };
    // The route `withFallback` is running this activity on: its tool key, and whether a later route exists.
    const route = currentRoute();
    if (route) out[HEADERS.route] = defaultPayloadConverter.toPayload(route);
    const budgetUsd = this.ledger.budget;
    if (budgetUsd !== undefined) {
      const budget: BudgetHeader = { budgetUsd, spentUsd: this.ledger.spent.usd };
      out[HEADERS.budget] = defaultPayloadConverter.toPayload(budget);
    }
    return out;
  }
}

/** Called by the SDK once per workflow execution. */
export function interceptors(): WorkflowInterceptors {
  const ledger = new WorkflowLedger();
  installLedger(ledger);
  return {
    outbound: [new ResilienceWorkflowOutboundInterceptor(ledger)],
    inbound: [new ExecutionTelemetryInboundInterceptor(ledger)],
  };
}
