/**
 * @module temporal-resilience/workflows/execution-telemetry
 *
 * Reports a workflow execution's ledger to the worker when the execution closes, through a sink (the only way data
 * leaves the sandbox without touching history). Runs in the workflow sandbox.
 */
import {
  ContinueAsNew,
  isCancellation,
  proxySinks,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
} from '@temporalio/workflow';
import { EXECUTION_SINK, type ExecutionSummary, type ResilienceSinks } from '../src/telemetry-names';
import type { WorkflowLedger } from './workflow-ledger';

/** Reports the ledger's totals through {@link ResilienceSinks} when the workflow function returns or throws. */
export class ExecutionTelemetryInboundInterceptor implements WorkflowInboundCallsInterceptor {
  private readonly sinks = proxySinks<ResilienceSinks>();

  constructor(private readonly ledger: WorkflowLedger) {}

  async execute(
    input: WorkflowExecuteInput,
    next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    try {
      const result = await next(input);
      this.closed('completed');
      return result;
    } catch (error) {
      this.closed(
        error instanceof ContinueAsNew ? 'continued-as-new' : isCancellation(error) ? 'cancelled' : 'failed',
      );
      throw error;
    }
  }

  private closed(status: ExecutionSummary['status']): void {
    const spent = this.ledger.spent;
    this.sinks[EXECUTION_SINK].executionClosed({
      status,
      costUsd: spent.usd,
      inputTokens: spent.inputTokens,
      outputTokens: spent.outputTokens,
      attempts: this.ledger.attemptCount,
    });
  }
}
