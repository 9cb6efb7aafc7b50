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
import type { ChainIdentity } from '../src/attempts/chain-wire';
import { HEADERS, type BudgetHeader } from '../src/headers';
import { currentRoute } from './fallback';
import { ExecutionTelemetryInboundInterceptor } from './execution-telemetry';
import { currentStepName } from './step';
import { installLedger, WorkflowLedger } from './workflow-ledger';

/**
 * Gives every scheduled activity a step name header (the enclosing `step`'s name, or the activity type plus its
 * occurrence in this run, `chargeCard#1`: scheduling order is deterministic, so the numbering is too) and the
 * workflow's budget; takes the attempt chain from beside each activity's result (the toolkit's codec hands it over
 * with the result) or from its failure into the workflow's ledger. The workflow sees the activity's own result.
 */
export class ResilienceWorkflowOutboundInterceptor implements WorkflowOutboundCallsInterceptor {
  private readonly occurrences = new Map<string, number>();

  constructor(private readonly ledger: WorkflowLedger) {}

  scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ): Promise<unknown> {
    const { headers, step } = this.headers(input.activityType, input.headers);
    const identity = {
      activityId: input.options.activityId ?? `${input.seq}`,
      activityType: input.activityType,
      step,
    };
    const maximumAttempts = input.options.retry?.maximumAttempts;
    if (maximumAttempts === undefined || maximumAttempts <= 1) {
      return this.settled(next({ ...input, headers }), identity);
    }
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
      identity,
    );
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    const { headers, step } = this.headers(input.activityType, input.headers);
    // The SDK names a local activity by its sequence number.
    return this.settled(next({ ...input, headers }), {
      activityId: `${input.seq}`,
      activityType: input.activityType,
      step,
    });
  }

  /** Takes the attempt chain from beside the activity's result, or from its failure, into the ledger. */
  private async settled(activity: Promise<unknown>, identity: ChainIdentity): Promise<unknown> {
    try {
      return this.ledger.settle(await activity, identity);
    } catch (error) {
      this.ledger.settleFailure(error, identity);
      throw error;
    }
  }

  private headers(
    activityType: string,
    headers: ActivityInput['headers'],
  ): { headers: ActivityInput['headers']; step: string } {
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
    return { headers: out, step: name };
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
