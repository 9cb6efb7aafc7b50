import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { inspectWorkflow } from '../../cli/inspect';
import { renderText, resiliencePlugin } from '../../index';
import { createTimeSkippingEnv } from '../../testing';
import * as activities from '../../examples/activities';
import { SECRET_CORPUS } from '../helpers/secret-corpus';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

/**
 * Fails with corpus entry `i` in its name, message, stack frames and cause, the way careless code and libraries do.
 * (The workflow passes a "url"; here it only carries the entry's index.)
 */
async function leakyCall(url: string): Promise<void> {
  const [, text] = SECRET_CORPUS[Number(new URL(url).searchParams.get('i'))]!;
  const cause = new Error(`upstream: ${text}`);
  const error = new Error(`call failed: ${text}`, { cause });
  error.name = `LeakError ${text}`.slice(0, 90);
  error.stack = `${error.name}: ${error.message}\n    at fetchPage (${text})\n    at run (/app/index.js:1:1)`;
  throw error;
}

describe('the secret corpus reaches no history, span, log or inspect output (real time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    const tracerProvider = new BasicTracerProvider();
    tracerProvider.addSpanProcessor(new SimpleSpanProcessor(exporter));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(tracerProvider);
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    globalThis.capturedLogs = undefined;
    await env?.teardown();
  });

  it(`${SECRET_CORPUS.length} secret formats in error names, messages, stacks and causes`, async () => {
    globalThis.capturedLogs = [];
    const taskQueue = uniqueTaskQueue('redaction');
    const worker = await createExampleWorker(env, taskQueue, {
      workflowsPath: join(__dirname, '../fixtures/test-workflows.ts'),
      activities: { ...activities, leakyCall },
      // Every entry must reach the activity: no circuit opening after the first failures.
      plugins: [resiliencePlugin({ defaultToolLimits: { circuit: { enabled: false } } })],
    });
    // One after another: a shared machine does not cope well with 24 failing workflows at once.
    const outputs = await worker.runUntil(async () => {
      const done: Array<{ history: string; decoded: string; report: string }> = [];
      for (let i = 0; i < SECRET_CORPUS.length; i++) {
        const handle = await env.client.workflow.start('leakyCallWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${i}`,
          args: [`http://127.0.0.1/leak?i=${i}`],
        });
        await handle.result().catch(() => undefined);
        const history = historyToJSON(await handle.fetchHistory());
        const report = await inspectWorkflow({ workflowId: handle.workflowId, client: env.client });
        done.push({
          history,
          decoded: decodedPayloads(history),
          report: JSON.stringify(report) + renderText(report),
        });
      }
      return done;
    });
    const spans = JSON.stringify(
      exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.events, s.status]),
    );
    const logs = JSON.stringify(globalThis.capturedLogs!.map((e) => [e.message, e.meta]));
    SECRET_CORPUS.forEach(([name, , secret], i) => {
      const { history, decoded, report } = outputs[i]!;
      // The failure is there (so the check can fail)...
      expect(history, name).toContain('[REDACTED]');
      expect(history, name).toContain('LeakError');
      // ...but the secret is nowhere.
      for (const [where, text] of Object.entries({ history, decoded, report, spans, logs })) {
        expect(text.includes(secret), `${name} leaked into ${where}`).toBe(false);
      }
    });
    expect(exporter.getFinishedSpans().length).toBeGreaterThan(0);
  }, 180_000);
});

/** Failure details are base64 payloads in the history JSON: decode them so a secret there is found too. */
function decodedPayloads(historyJson: string): string {
  const found: string[] = [];
  JSON.stringify(JSON.parse(historyJson), (key, value: unknown) => {
    if (key === 'data' && typeof value === 'string') found.push(Buffer.from(value, 'base64').toString());
    return value;
  });
  return found.join('\n');
}
