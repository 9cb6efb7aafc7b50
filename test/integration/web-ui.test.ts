import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { resiliencePlugin } from '../../index';
import { createDevServerEnv, FakeProvider } from '../../testing';
import * as activities from '../fixtures/ledger-activities';
import type { historyStepsWorkflow } from '../fixtures/ledger-workflows';
import { renderedDom, screenshot } from '../helpers/chromium';
import { uniqueTaskQueue } from '../helpers/task-queue';

const run = promisify(execFile);
/** Where the screenshot is kept for a human to look at. */
const SCREENSHOT = process.env.WEB_UI_SCREENSHOT ?? join(tmpdir(), 'temporal-resilience-web-ui.png');

/** The Web UI is a single-page app: its JavaScript gets virtual time to render the history. */
const UI_PAGE = { virtualTimeBudgetMs: 20_000, windowSize: '1400,1600' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// The dev server serves Temporal's Web UI; a human (and this test) reads the activity's result there.
describe("Temporal's Web UI shows the activity's own result with the toolkit registered", () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;
  let uiPort: number;

  beforeAll(async () => {
    uiPort = await freePort();
    env = await createDevServerEnv({
      server: { ui: true, uiPort, log: { format: 'pretty', level: 'error' } },
    });
    provider = await FakeProvider.start();
  });
  afterAll(async () => {
    await provider?.close();
    await env?.teardown();
  });

  it('the completed activity shows the user value, not an envelope, after a failed attempt', async () => {
    const taskQueue = uniqueTaskQueue('web-ui');
    const route = `/${taskQueue}/text`;
    provider.route(route, {
      script: [{ status: 500, body: { error: 'upstream failed' } }],
      then: { status: 200, body: 'a-user-value-42' },
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: join(__dirname, '../fixtures/ledger-workflows.ts'),
      activities,
      plugins: [resiliencePlugin()],
    });
    const handle = await worker.runUntil(async () => {
      const h = await env.client.workflow.start<typeof historyStepsWorkflow>('historyStepsWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [provider.url(route), 1],
      });
      expect(await h.result()).toEqual(['a-user-value-42']);
      return h;
    });
    const runId = (await handle.describe()).runId;
    const page = `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${taskQueue}/${runId}/history`;
    const dom = await renderedDom(page, UI_PAGE);
    // The result as the UI renders it: the user's value; the toolkit's envelope and marker nowhere on the page.
    // The Activity Task Completed row's result, not only the workflow's (which returns the same value).
    expect(dom).toMatch(/Activity Task Completed[\s\S]{0,3000}?a-user-value-42/);
    expect(dom).not.toContain('temporal-resilience/attempt-chain');
    expect(dom).not.toContain('"marker"');
    // `temporal workflow show`: the stored result is the user's JSON value.
    const cli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const { stdout } = await run(cli, [
      'workflow',
      'show',
      '-w',
      taskQueue,
      '--address',
      env.address,
      '-o',
      'json',
    ]);
    const shown = JSON.parse(stdout) as {
      events: Array<{
        activityTaskCompletedEventAttributes?: { result: { payloads: Array<{ data: string }> } };
      }>;
    };
    const completed = shown.events.find((e) => e.activityTaskCompletedEventAttributes);
    const data = completed!.activityTaskCompletedEventAttributes!.result.payloads[0]!.data;
    expect(Buffer.from(data, 'base64').toString('utf8')).toBe('"a-user-value-42"');
    await screenshot(page, SCREENSHOT, UI_PAGE);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    console.log(`Web UI screenshot: ${SCREENSHOT}`);
  }, 240_000);
});
