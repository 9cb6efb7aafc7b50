import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { tsToMs } from '@temporalio/common/lib/time';
import { Worker } from '@temporalio/worker';
import { main } from '../../cli';
import { inspectWorkflow } from '../../cli/inspect';
import { renderHtml, resiliencePlugin, type InspectReport } from '../../index';
import { createDevServerEnv, FakeProvider } from '../../testing';
import * as activities from '../../examples/activities';
import { installTravelApi } from '../../examples/travel-api';
import { renderedDom, screenshot } from '../helpers/chromium';
import { uniqueTaskQueue } from '../helpers/task-queue';

// Real timings matter here (immediate versus delayed retries), so the histories are made on the dev server.
describe('temporal-resilience inspect on histories made on the real dev server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;
  let worker: Worker;
  let bareWorker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('inspect');
  const bareQueue = uniqueTaskQueue('inspect-bare');
  const workflowsPath = join(__dirname, '../fixtures/test-workflows.ts');
  const reports = new Map<string, InspectReport>();

  beforeAll(async () => {
    env = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
    provider = await FakeProvider.start();
    const plugin = resiliencePlugin({
      tools: {
        callProvider: { circuit: { mode: 'consecutive', consecutiveFailures: 1, openMs: 600_000 } },
      },
      toolKey: (info, args) =>
        typeof args[0] === 'string' && args[0].includes('/open')
          ? 'callProvider'
          : info.activityType + ':' + String(args[0]).length,
    });
    const common = { connection: env.nativeConnection, workflowsPath, activities };
    worker = await Worker.create({ ...common, taskQueue, plugins: [plugin] });
    bareWorker = await Worker.create({ ...common, taskQueue: bareQueue });
    running = Promise.all([worker.run(), bareWorker.run()]).then(() => undefined);
  });
  afterAll(async () => {
    worker?.shutdown();
    bareWorker?.shutdown();
    await running;
    await provider?.close();
    await env?.teardown();
  });

  async function runAndInspect(
    name: string,
    type: string,
    args: unknown[],
    queue = taskQueue,
    immediateThresholdMs?: number,
  ): Promise<InspectReport> {
    const workflowId = `${queue}-${name}`;
    await env.client.workflow.execute(type, { taskQueue: queue, workflowId, args }).catch(() => undefined);
    const report = await inspectWorkflow({ workflowId, client: env.client, immediateThresholdMs });
    reports.set(name, report);
    return report;
  }

  it('ok: a step that completed on its first attempt', async () => {
    provider.route('/ok', { then: { status: 200 } });
    const report = await runAndInspect('ok', 'callProviderWorkflow', [{ url: provider.url('/ok') }]);
    expect(report).toMatchObject({
      status: 'completed',
      toolkit: true,
      workflowType: 'callProviderWorkflow',
    });
    expect(report.steps.map((s) => [s.step, s.verdict, s.attempts.length])).toEqual([
      ['callProvider#1', 'ok', 1],
    ]);
  });

  it('delayed-retry: every retry waited at least the delay the policy chose', async () => {
    provider.route('/delayed', { script: [{ status: 503 }, { status: 503 }], then: { status: 200 } });
    const report = await runAndInspect('delayed', 'callProviderWorkflow', [
      { url: provider.url('/delayed'), policy: 'httpApi', initialIntervalSeconds: 0.3 },
    ]);
    const [step] = report.steps;
    expect(step!.verdict).toBe('delayed-retry');
    expect(step!.keyStable).toBe(true);
    expect(step!.attempts.map((a) => [a.attempt, a.outcome, a.reason])).toEqual([
      [1, 'failed', 'http-503'],
      [2, 'failed', 'http-503'],
      [3, 'completed', undefined],
    ]);
    // Order on the server's clock, as the attempt records have it: each retry started no earlier than the failed
    // attempt's next_not_before (its end plus the delay the policy chose).
    step!.attempts.slice(0, 2).forEach((a, i) => {
      expect(a.policyDelayMs).toBeGreaterThan(0);
      expect(Date.parse(step!.attempts[i + 1]!.startedAt!)).toBeGreaterThanOrEqual(
        Date.parse(a.nextNotBefore!),
      );
    });
  });

  it('immediate-retry: a history made without the toolkit, retrying with zero delay', async () => {
    provider.route('/hot', {
      script: [{ status: 500 }, { status: 500 }, { status: 500 }],
      then: { status: 200 },
    });
    // Without attempt records, "immediate" is judged by the gap between a failure and the next dispatch on the
    // server's clock. A hot loop's gap is one workflow task's round trip: tens of ms on an idle machine, several
    // hundred beside a CPU hog (seen: the default 100 ms threshold then calls the first re-dispatch a terminal
    // failure). The server never retries an activity sooner than 1 s apart, so 1 s still separates the two.
    const report = await runAndInspect(
      'hot',
      'zeroDelayRetryWorkflow',
      [provider.url('/hot')],
      bareQueue,
      1000,
    );
    expect(report.toolkit).toBe(false);
    // The first call failed on its own; each of the next three was dispatched at once after a failure.
    expect(report.steps.map((s) => s.verdict)).toEqual([
      'terminal-policy-failure',
      'immediate-retry',
      'immediate-retry',
      'immediate-retry',
    ]);
    expect(report.steps[1]!.explanation).toContain('no backoff');
  });

  it('duplicate-dispatch: the same idempotency key under two activity ids', async () => {
    provider.route('/dup', { then: { status: 200 } });
    const report = await runAndInspect('dup', 'duplicateChargeWorkflow', [provider.url('/dup')]);
    expect(report.steps.map((s) => s.verdict)).toEqual(['duplicate-dispatch', 'duplicate-dispatch']);
    expect(report.steps[0]!.idempotencyKey).toBe(report.steps[1]!.idempotencyKey);
    expect(report.steps[0]!.activityId).not.toBe(report.steps[1]!.activityId);
  });

  it('terminal-policy-failure: a 422 ends the step', async () => {
    provider.route('/invalid', { then: { status: 422 } });
    const report = await runAndInspect('invalid', 'callProviderWorkflow', [
      { url: provider.url('/invalid') },
    ]);
    expect(report.steps[0]).toMatchObject({
      verdict: 'terminal-policy-failure',
      failureType: 'PermanentFailure',
      outcome: 'failed',
    });
  });

  it('circuit-open-fast-fail: the last attempt was refused by an open circuit', async () => {
    provider.route('/open', { then: { status: 503 } });
    // The circuit opens on the first failure for 10 minutes; the activity has 60 s in all: waiting for the probe
    // cannot fit, so the refusal fails the activity at once instead of letting it time out.
    const report = await runAndInspect('open', 'callProviderWorkflow', [
      { url: provider.url('/open'), policy: 'httpApi', scheduleToCloseSeconds: 60, maximumAttempts: 2 },
    ]);
    expect(report.steps[0]).toMatchObject({ verdict: 'circuit-open-fast-fail', failureType: 'CircuitOpen' });
    expect(report.steps[0]!.attempts.map((a) => a.outcome)).toEqual(['failed', 'refused']);
    expect(provider.calls('/open')).toBe(1);
  });

  it('pending: a step waiting for its next attempt says when', async () => {
    provider.route('/later', { then: { status: 503 } });
    const workflowId = `${taskQueue}-pending`;
    const handle = await env.client.workflow.start('callProviderWorkflow', {
      taskQueue,
      workflowId,
      args: [{ url: provider.url('/later'), policy: 'httpApi', initialIntervalSeconds: 30 }],
    });
    // Wait for the server to record the first attempt's failure (not for a time): then attempt 2 is pending.
    let pending;
    for (;;) {
      pending = (await handle.describe()).raw.pendingActivities?.[0];
      if (pending?.lastFailure && (pending.attempt ?? 0) >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const report = await inspectWorkflow({ workflowId, client: env.client });
    await handle.terminate('test done');
    expect(report.status).toBe('running');
    expect(report.steps[0]).toMatchObject({
      verdict: 'pending',
      outcome: 'pending',
      explanation: 'attempt 2 pending after TransientFailure',
    });
    // On the server's clock: the next attempt is due at least the 30 s backoff (less its 20 % jitter) after the
    // first attempt failed.
    const failedAtMs = tsToMs(pending.lastAttemptCompleteTime!);
    expect(Date.parse(report.steps[0]!.nextAttemptAt!) - failedAtMs).toBeGreaterThanOrEqual(24_000);
  });

  it('lists saga compensations below the steps', async () => {
    installTravelApi(provider, { failAt: 'cars' }, '/trip-inspect');
    const report = await runAndInspect('saga', 'tripBookingWorkflow', [
      { trip: { baseUrl: provider.url('/trip-inspect'), traveller: 'ada', amountCents: 100 } },
    ]);
    expect(report.steps.map((s) => s.step)).toEqual(['book-flight', 'book-hotel', 'book-car']);
    expect(report.compensations.map((s) => [s.step, s.verdict])).toEqual([
      ['compensate:book-hotel', 'ok'],
      ['compensate:book-flight', 'ok'],
    ]);
  });

  it('pins the --json schema: the keys of the report, a step and an attempt', async () => {
    const report = reports.get('delayed')!;
    expect(Object.keys(report).sort()).toEqual(
      [
        'closedAt',
        'compensations',
        'costUsd',
        'runId',
        'schemaVersion',
        'startedAt',
        'status',
        'steps',
        'toolkit',
        'workflowId',
        'workflowType',
      ].sort(),
    );
    expect(report.schemaVersion).toBe(1);
    const allowedStep = [
      'activityId',
      'activityType',
      'attempts',
      'closedAt',
      'costUsd',
      'explanation',
      'failureMessage',
      'failureType',
      'idempotencyKey',
      'keyStable',
      'nextAttemptAt',
      'outcome',
      'scheduledAt',
      'step',
      'verdict',
    ];
    const allowedAttempt = [
      'attempt',
      'costUsd',
      'failureType',
      'finishedAt',
      'idempotencyKey',
      'kind',
      'nextNotBefore',
      'observedDelayMs',
      'outcome',
      'policyDelayMs',
      'reason',
      'resentLocally',
      'source',
      'startedAt',
    ];
    for (const r of reports.values()) {
      for (const s of [...r.steps, ...r.compensations]) {
        expect(Object.keys(s).filter((k) => !allowedStep.includes(k))).toEqual([]);
        for (const a of s.attempts)
          expect(Object.keys(a).filter((k) => !allowedAttempt.includes(k))).toEqual([]);
      }
    }
    const lines: string[] = [];
    expect(
      await main(
        ['inspect', `${taskQueue}-delayed`, '--json', '--address', env.address],
        (t) => lines.push(t),
        () => undefined,
      ),
    ).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toEqual(report);
  });

  it('rejects bad command lines with the usage text', async () => {
    const errors: string[] = [];
    expect(
      await main(
        ['inspect'],
        () => undefined,
        (t) => errors.push(t),
      ),
    ).toBe(2);
    expect(
      await main(
        ['explain', 'x'],
        () => undefined,
        (t) => errors.push(t),
      ),
    ).toBe(2);
    expect(errors.join('\n')).toContain('Usage: temporal-resilience inspect <workflowId>');
    const fleetErrors: string[] = [];
    const run = (argv: string[]) =>
      main(
        argv,
        () => undefined,
        (t) => fleetErrors.push(t),
      );
    expect(await run(['inspect', 'some-id', '--query', 'WorkflowType="x"'])).toBe(2);
    expect(fleetErrors.pop()).toContain('Give either <workflowId> or --query, not both.');
    expect(await run(['inspect', '--query', '', '--stall-minutes', 'soon'])).toBe(2);
    expect(fleetErrors.pop()).toContain("--stall-minutes must be a number > 0, got 'soon'.");
  });

  it('--html renders in headless Chromium with one bar per attempt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inspect-html-'));
    const report = reports.get('delayed')!;
    const file = join(dir, 'timeline.html');
    const lines: string[] = [];
    expect(
      await main(
        ['inspect', report.workflowId, '--html', file, '--address', env.address],
        (t) => lines.push(t),
        () => undefined,
      ),
    ).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(renderHtml(report));
    const dom = await renderedDom(`file://${file}`, { windowSize: '1100,400' });
    const bars = dom.match(/<rect class="attempt"/g) ?? [];
    expect(bars).toHaveLength(report.steps.reduce((n, s) => n + s.attempts.length, 0));
    await screenshot(`file://${file}`, join(dir, 'timeline.png'), { windowSize: '1100,400' });
    expect(statSync(join(dir, 'timeline.png')).size).toBeGreaterThan(2_000);
  });
});
