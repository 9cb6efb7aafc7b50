import type { Context as ActivityContext } from '@temporalio/activity';
import { defaultPayloadConverter, TemporalFailure, type Headers } from '@temporalio/common';
import { msOptionalToNumber } from '@temporalio/common/lib/time';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { runWithAttemptContext } from '../activities/attempt-context';
import type { BackoffOptions } from '../src/backoff/backoff';
import type { Classification } from '../src/classification/classification';
import { classifyError } from '../src/classification/classify-error';
import { isHttpError } from '../src/errors/http-error';
import { isResilienceTimeoutError } from '../src/errors/timeout-error';
import { HEADERS } from '../src/headers';
import { deriveIdempotencyKey } from '../src/idempotency/idempotency-key';
import { decideRetry, type RetryDecision } from '../src/retry-decision/retry-decision';
import { toApplicationFailure } from './failure-mapping';
import { DEFAULT_QUOTA_HOLD_MS, type ResilienceOptions } from './resilience-options';
import type { ToolLimiter } from './tool-limiter';

/** What the interceptor needs from the worker-wide state. */
export interface ToolLimiterSource {
  limiterFor(toolKey: string): ToolLimiter;
}

/**
 * Classifies every failure leaving an activity and turns it into the right `ApplicationFailure`, and paces calls per
 * tool through the worker's shared limiter.
 *
 * Passes through unchanged: results, `ApplicationFailure`s (and other Temporal failures) thrown on purpose, and
 * cancellation.
 */
export class ResilienceActivityInboundInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly options: ResilienceOptions,
    private readonly tools: ToolLimiterSource,
  ) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const info = this.ctx.info;
    const startedLocalMs = Date.now();
    const toolKey = this.options.toolKey?.(info, input.args) ?? info.activityType;
    const stepName = stepNameFrom(input.headers);
    const idempotencyKey =
      stepName === undefined || info.workflowExecution === undefined
        ? undefined
        : deriveIdempotencyKey({
            namespace: info.workflowNamespace ?? info.namespace,
            workflowId: info.workflowExecution.workflowId,
            runId: info.workflowExecution.runId,
            stepName,
            scope: this.options.idempotencyScope,
          });
    const identity = { stepName, idempotencyKey };
    const limiter = this.tools.limiterFor(toolKey);
    // Decisions are stamped in server time (virtual on the time-skipping server) so `nextNotBefore` compares with
    // history timestamps. The limiter keeps real time: it protects a provider, whose clock never skips.
    const serverNow = () => info.currentAttemptScheduledTimestampMs + (Date.now() - startedLocalMs);

    const permit = await limiter.acquire();
    if (!permit.granted) {
      // The tool is paused or saturated in this worker: hand the wait back to the server instead of calling.
      const classification: Classification = {
        kind: permit.kind,
        reason: permit.reason,
        ...(permit.kind === 'cap' ? {} : { retryAfterMs: permit.retryAfterMs }),
      };
      throw toApplicationFailure(this.decide(classification, toolKey, serverNow(), identity), undefined);
    }

    try {
      const result = await runWithAttemptContext({ toolKey, limiter, ...identity }, () => next(input));
      permit.release('success');
      return result;
    } catch (error) {
      if (error instanceof TemporalFailure || this.ctx.cancellationSignal.aborted) {
        permit.release('other');
        throw error;
      }
      const classification = classifyError(error, this.options.classify);
      permit.release(classification.kind === 'cap' ? 'cap' : 'other');
      if (isHttpError(error)) limiter.observe(error.status, error.headers);
      if (classification.kind === 'stop') {
        // The quota window is gone for every execution of this tool in the worker, not just this one.
        const holdMs = classification.retryAfterMs ?? this.options.quotaHoldMs ?? DEFAULT_QUOTA_HOLD_MS;
        limiter.hold(Date.now() + holdMs, classification.reason);
      }
      const decision = this.decide(classification, toolKey, serverNow(), {
        ...identity,
        sideEffectUnknown: isResilienceTimeoutError(error) && error.requestSent,
      });
      try {
        this.options.onClassified?.(decision, info);
      } catch {
        // A user's alert hook must not change how the attempt fails.
      }
      throw toApplicationFailure(decision, error);
    }
  }

  private decide(
    classification: Classification,
    toolKey: string,
    nowMs: number,
    extra: { stepName?: string; idempotencyKey?: string; sideEffectUnknown?: boolean },
  ): RetryDecision {
    const info = this.ctx.info;
    const policy = info.retryPolicy;
    const backoff: BackoffOptions = {
      initialIntervalMs: msOptionalToNumber(policy?.initialInterval) ?? undefined,
      backoffCoefficient: policy?.backoffCoefficient ?? undefined,
      maximumIntervalMs: msOptionalToNumber(policy?.maximumInterval) ?? undefined,
      jitterRatio: this.options.jitterRatio,
    };
    return decideRetry(classification, {
      workflowId: info.workflowExecution?.workflowId ?? '',
      activityId: info.activityId,
      attempt: info.attempt,
      toolKey,
      nowMs,
      backoff,
      maximumAttempts: policy?.maximumAttempts,
      step: extra.stepName,
      idempotencyKey: extra.idempotencyKey,
      sideEffectUnknown: extra.sideEffectUnknown,
    });
  }
}

/** The step name the workflow interceptor put in the headers, if it is registered. */
function stepNameFrom(headers: Headers): string | undefined {
  const payload = headers[HEADERS.step];
  if (!payload) return undefined;
  try {
    const name: unknown = defaultPayloadConverter.fromPayload(payload);
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
