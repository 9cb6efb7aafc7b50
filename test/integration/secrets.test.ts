import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resilientFetch } from '../../activities';
import { HttpError, resiliencePlugin } from '../../index';
import { createTimeSkippingEnv, FakeProvider } from '../../testing';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';
import * as activities from '../../examples/activities';

const API_KEY = 'sk-proj-VERYSECRETKEY0123456789';
const BEARER = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.SIGNATURE';

/** Fails with the key in its message, its headers and its body, the way careless client code does. */
async function leakyCall(url: string): Promise<void> {
  try {
    await resilientFetch(url, {
      method: 'POST',
      body: JSON.stringify({ api_key: API_KEY }),
      headers: { authorization: `Bearer ${BEARER}` },
    });
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    const leaked = new HttpError(
      error.status,
      { ...error.headers, authorization: `Bearer ${BEARER}`, 'x-api-key': API_KEY },
      `${error.body} api_key=${API_KEY}`,
    );
    leaked.message = `provider said ${error.status}; request had Authorization: Bearer ${BEARER} and api_key=${API_KEY}`;
    throw leaked;
  }
}

describe('secrets never reach spans, logs, failure messages or failure details', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    const tracerProvider = new BasicTracerProvider();
    tracerProvider.addSpanProcessor(new SimpleSpanProcessor(exporter));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(tracerProvider);
    env = await createTimeSkippingEnv();
    provider = await FakeProvider.start();
  });
  afterAll(async () => {
    globalThis.capturedLogs = undefined;
    await provider?.close();
    await env?.teardown();
  });

  it('an activity failing with an API key and a bearer token in message, headers and body', async () => {
    provider.route('/leak', {
      then: {
        status: 401,
        body: { error: `invalid key ${API_KEY}` },
        headers: { 'www-authenticate': `Bearer ${BEARER}` },
      },
    });
    globalThis.capturedLogs = [];
    const taskQueue = uniqueTaskQueue('secrets');
    const worker = await createExampleWorker(env, taskQueue, {
      workflowsPath: join(__dirname, '../fixtures/test-workflows.ts'),
      activities: { ...activities, leakyCall },
      plugins: [resiliencePlugin()],
    });
    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('leakyCallWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [provider.url('/leak')],
      });
      await handle.result().catch(() => undefined);
      return handle.fetchHistory();
    });
    const historyJson = historyToJSON(history);
    // The failure is there (so the check can fail), and it is classified...
    expect(historyJson).toContain('PermanentFailure (unauthorized)');
    // ...but the secret is nowhere: not in failure messages, causes, stack traces or details (decoded or encoded).
    const decoded =
      Buffer.from(historyJson).toString() +
      JSON.stringify(
        JSON.parse(historyJson).events.flatMap(
          (e: {
            activityTaskFailedEventAttributes?: {
              failure?: { applicationFailureInfo?: { details?: { payloads?: Array<{ data: string }> } } };
            };
          }) =>
            (
              e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.details?.payloads ?? []
            ).map((p) => Buffer.from(p.data, 'base64').toString()),
        ),
      );
    for (const secret of [API_KEY, BEARER]) {
      expect(decoded).not.toContain(secret);
      expect(
        JSON.stringify(exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.events, s.status])),
      ).not.toContain(secret);
      expect(JSON.stringify(globalThis.capturedLogs!.map((e) => [e.message, e.meta]))).not.toContain(secret);
    }
    expect(exporter.getFinishedSpans().length).toBeGreaterThan(0);
    expect(globalThis.capturedLogs!.some((e) => e.message === 'attempt.failed')).toBe(true);
  });
});
