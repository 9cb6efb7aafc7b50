/**
 * `npm run demo`: the reference app end to end on a real Temporal server, with a readable report.
 *
 * Starts an embedded dev server (or uses TEMPORAL_ADDRESS), the fake provider and two workers on the same workflows:
 * one bare (Temporal's defaults, errors unclassified) and one with the toolkit registered. Each incident runs on both,
 * side by side; the report says what the provider saw and what the toolkit decided. Everything started is stopped.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { EXECUTION_SINK, resiliencePlugin, type RetryDecision } from '../index';
import { retryDecisionOf } from '../client';
import { inspectWorkflow, renderReport } from '../cli/inspect';
import { ledgerQuery } from '../workflows';
import { createDevServerEnv, FakeProvider } from '../testing';
import * as activities from './activities';
import { REFERENCE_MODEL } from './activities/llm';
import { installTravelApi } from './travel-api';
import type { CallProviderInput } from './workflows/call-provider';

interface DemoServer {
  readonly client: Client;
  readonly nativeConnection: NativeConnection;
  readonly namespace: string;
  readonly description: string;
  close(): Promise<void>;
}

async function startServer(): Promise<DemoServer> {
  const address = process.env.TEMPORAL_ADDRESS;
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  if (address) {
    const connection = await Connection.connect({ address });
    const nativeConnection = await NativeConnection.connect({ address });
    return {
      client: new Client({ connection, namespace }),
      nativeConnection,
      namespace,
      description: `the Temporal server at ${address} (namespace ${namespace})`,
      close: async () => {
        await nativeConnection.close();
        await connection.close();
      },
    };
  }
  const env = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
  return {
    client: env.client,
    nativeConnection: env.nativeConnection,
    namespace: 'default',
    description: 'an embedded Temporal dev server (in memory)',
    close: () => env.teardown(),
  };
}

/** Attempts the budget incident's retry policy allows. */
const BILL_ATTEMPTS = 50;

/** Where the demo writes its report and the inspect timelines. */
const OUTPUT_DIR = join(process.cwd(), 'demo-output');

type Outcome = { ok: true; ms: number } | { ok: false; ms: number; error: unknown };

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startServer();
  const provider = await FakeProvider.start();
  const decisions: RetryDecision[] = [];
  const runId = Date.now().toString(36);
  const bare = `demo-bare-${runId}`;
  const toolkit = `demo-toolkit-${runId}`;
  const plugin = resiliencePlugin({
    // Each provider route stands for a different tool: a quota gone on one must not shut the others.
    toolKey: (info, args) => (typeof args[0] === 'string' ? new URL(args[0]).pathname : info.activityType),
    tools: { '/down': { circuit: { mode: 'consecutive', consecutiveFailures: 3, openMs: 1_000 } } },
    prices: { [REFERENCE_MODEL]: { inputPerMillion: 100, outputPerMillion: 200 } },
    onClassified: (decision) => decisions.push(decision),
  });
  // One bundle for both workers. The plugin adds its workflow interceptors module to it; the bare worker does not
  // register the plugin, so the step headers the interceptor adds are simply ignored there.
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: join(__dirname, 'workflows/index.ts'),
    logger: new DefaultLogger('ERROR'),
    plugins: [plugin],
  });
  const common = {
    connection: server.nativeConnection,
    namespace: server.namespace,
    workflowBundle,
    activities,
  };
  const workers = [
    // The shared bundle's toolkit interceptors report each closing execution through a sink: a no-op here.
    await Worker.create({
      ...common,
      taskQueue: bare,
      sinks: { [EXECUTION_SINK]: { executionClosed: { fn: () => undefined } } },
    }),
    await Worker.create({
      ...common,
      taskQueue: toolkit,
      plugins: [plugin],
    }),
  ];

  let runs = 0;
  /** Starts one workflow per input; waits at most `limitMs`, then terminates what still runs. */
  async function runAll(taskQueue: string, inputs: CallProviderInput[], limitMs: number): Promise<Outcome[]> {
    const started = Date.now();
    runs++;
    const handles = await Promise.all(
      inputs.map((input, i) =>
        server.client.workflow.start('callProviderWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${runs}-${i}`,
          args: [input],
        }),
      ),
    );
    if (handles.length === 1) inspected.push(handles[0]!.workflowId);
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), limitMs).unref(),
    );
    return Promise.all(
      handles.map(async (handle) => {
        const result = await Promise.race([
          handle.result().then(
            () => ({ ok: true as const, ms: Date.now() - started }),
            (error: unknown) => ({ ok: false as const, ms: Date.now() - started, error }),
          ),
          timeout,
        ]);
        if (result !== 'timeout') return result;
        await handle.terminate('demo time limit');
        return { ok: false as const, ms: limitMs, error: 'still retrying when the demo stopped it' };
      }),
    );
  }

  /** Books a trip against the travel API installed under `prefix`. */
  async function runTrip(taskQueue: string, prefix: string): Promise<Outcome[]> {
    const started = Date.now();
    const handle = await server.client.workflow.start('tripBookingWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}${prefix.replace('/', '-')}`,
      args: [{ trip: { baseUrl: provider.url(prefix), traveller: 'ada', amountCents: 42_000 } }],
    });
    inspected.push(handle.workflowId);
    return [
      await handle.result().then(
        () => ({ ok: true as const, ms: Date.now() - started }),
        (error: unknown) => ({ ok: false as const, ms: Date.now() - started, error }),
      ),
    ];
  }

  const report: string[] = [`temporal-resilience demo on ${server.description}`, ''];
  /** Single-workflow incidents, inspected at the end. */
  const inspected: string[] = [];
  const describe = (o: Outcome) => {
    if (o.ok) return `completed in ${(o.ms / 1000).toFixed(1)} s`;
    const saga =
      o.error instanceof WorkflowFailedError && o.error.cause instanceof ApplicationFailure
        ? o.error.cause
        : undefined;
    if (saga?.type?.startsWith('Saga')) return `failed ${saga.type} after ${(o.ms / 1000).toFixed(1)} s`;
    const decision = retryDecisionOf(o.error);
    if (decision)
      return `failed ${decision.failureType} (${decision.reason}) after ${(o.ms / 1000).toFixed(1)} s`;
    if (o.error instanceof WorkflowFailedError) return `failed after ${(o.ms / 1000).toFixed(1)} s`;
    return String(o.error);
  };

  try {
    await Promise.all(
      workers
        .map((worker) => worker.run())
        .concat(
          (async () => {
            // Incident 1: the 3-hour quota 429.
            const quotaLimitMs = 8_000;
            provider.route('/quota', {
              then: { status: 429, headers: { 'retry-after': '10800' }, body: { error: 'quota' } },
            });
            const [quotaBare] = await runAll(
              bare,
              [{ url: provider.url('/quota'), policy: 'temporal-default', plain: true }],
              quotaLimitMs,
            );
            const bareCalls = provider.calls('/quota');
            provider.route('/quota', {
              then: { status: 429, headers: { 'retry-after': '10800' }, body: { error: 'quota' } },
            });
            provider.reset();
            const [quotaToolkit] = await runAll(
              toolkit,
              [{ url: provider.url('/quota'), policy: 'llm' }],
              quotaLimitMs,
            );
            report.push(
              'Incident 1: a 429 with Retry-After: 10800 (quota gone for three hours)',
              `  without the toolkit: ${bareCalls} calls in ${quotaLimitMs / 1000} s, ${describe(quotaBare!)} (Temporal's default policy retries forever)`,
              `  with the toolkit:    ${provider.calls('/quota')} call, ${describe(quotaToolkit!)}`,
              '',
            );

            // Incident 2: a retry storm: 10 agents share a tool that allows 2 concurrent calls.
            const storm = { maxInFlight: 2, then: { status: 200, delayMs: 150 } };
            const inputs = (plain: boolean): CallProviderInput[] =>
              Array.from({ length: 10 }, () => ({
                url: provider.url('/storm'),
                policy: 'temporal-default',
                plain,
              }));
            provider.route('/storm', storm);
            provider.reset();
            const stormBare = await runAll(bare, inputs(true), 60_000);
            const bareStorm = {
              calls: provider.calls('/storm'),
              rejected: provider.responsesWithStatus(429, '/storm'),
            };
            provider.route('/storm', storm);
            provider.reset();
            decisions.length = 0;
            const stormToolkit = await runAll(toolkit, inputs(false), 60_000);
            const caps = decisions.filter((d) => d.kind === 'cap').length;
            const last = (outcomes: Outcome[]) => (Math.max(...outcomes.map((o) => o.ms)) / 1000).toFixed(1);
            report.push(
              'Incident 2: retry storm, 10 parallel agents, a tool that answers 429 above 2 calls in flight',
              `  without the toolkit: ${bareStorm.calls} calls, ${bareStorm.rejected} answered 429, all done after ${last(stormBare)} s`,
              `  with the toolkit:    ${provider.calls('/storm')} calls, ${provider.responsesWithStatus(429, '/storm')} answered 429, all done after ${last(stormToolkit)} s`,
              `                       ${caps} attempts classified CAP; the worker halved its concurrency for the tool and grew it back`,
              '',
            );

            // A tool that is down for 3 seconds, 10 agents calling it.
            const outage = () => {
              let recoverAt = Infinity;
              provider.route('/down', {
                respond: (r) => {
                  if (r.callNumber === 1) recoverAt = r.receivedAt + 3_000;
                  return { status: r.receivedAt < recoverAt ? 503 : 200 };
                },
              });
              return () => provider.requests('/down').filter((r) => r.receivedAt < recoverAt).length;
            };
            const downInputs = (plain: boolean): CallProviderInput[] =>
              Array.from({ length: 10 }, () => ({
                url: provider.url('/down'),
                policy: 'temporal-default',
                plain,
              }));
            let callsDuringOutage = outage();
            const downBare = await runAll(bare, downInputs(true), 60_000);
            const bareOutageCalls = callsDuringOutage();
            provider.reset();
            callsDuringOutage = outage();
            const downToolkit = await runAll(toolkit, downInputs(false), 60_000);
            report.push(
              'Incident 2b: a tool down for 3 s, 10 parallel agents',
              `  without the toolkit: ${bareOutageCalls} calls during the outage, all done after ${last(downBare)} s`,
              `  with the toolkit:    ${callsDuringOutage()} calls during the outage (the shared circuit opened after 3 failures ` +
                `and let one probe through per second), all done after ${last(downToolkit)} s`,
              '',
            );

            // Incident 6: the runaway bill. Every call fails after spending $0.40 of tokens; the workflow's budget is $1.
            provider.route('/bill/v1/chat', {
              then: {
                status: 503,
                body: {
                  error: 'failed after spending tokens',
                  usage: { input_tokens: 2000, output_tokens: 1000 },
                },
              },
            });
            const billHandle = await server.client.workflow.start('llmCallWorkflow', {
              taskQueue: toolkit,
              workflowId: `${toolkit}-bill`,
              args: [
                {
                  baseUrl: provider.url('/bill'),
                  prompt: 'summarise',
                  budgetUsd: 1,
                  maximumAttempts: BILL_ATTEMPTS,
                },
              ],
            });
            const billError = await billHandle.result().catch((e: unknown) => e);
            const ledger = await billHandle.query(ledgerQuery);
            const perCallUsd = ledger.cost.usd / Math.max(1, provider.calls('/bill/v1/chat'));
            report.push(
              'Incident 6: an LLM call that fails after spending $0.40 of tokens, under a $1.00 budget',
              `  with the toolkit: ${provider.calls('/bill/v1/chat')} calls, $${ledger.cost.usd.toFixed(2)} spent, then ` +
                `${retryDecisionOf(billError)?.failureType ?? 'no stop'} (the retry policy alone would allow ` +
                `${BILL_ATTEMPTS} attempts, up to $${(BILL_ATTEMPTS * perCallUsd).toFixed(2)})`,
              '',
            );

            // Incident 5: the half-booked trip. The car rental fails after flight and hotel were booked.
            const tripLedger = installTravelApi(provider, { failAt: 'cars' }, '/trip');
            const [trip] = await runTrip(toolkit, '/trip');
            report.push(
              'Incident 5: the half-booked trip: flight and hotel booked, then the car rental fails',
              `  with the toolkit: ${describe(trip!)}; undone in reverse: ${tripLedger.undone.map((u) => `${u.resource} ${u.id}`).join(', ')}`,
              '',
            );

            // Incident 4: the double timeout. The payment API commits the charge, then its response never arrives.
            const payLedger = installTravelApi(provider, { chargeHangsAfterCommit: true }, '/pay');
            const [paid] = await runTrip(toolkit, '/pay');
            const chargeCalls = provider.requests('/pay/payments/charges');
            report.push(
              'Incident 4: a payment whose response times out after the charge was made',
              `  with the toolkit: ${describe(paid!)}; payment API calls: ${chargeCalls.map((r) => r.method).join(', ')} ` +
                `(the retry reconciled by idempotency key); cards charged: ${payLedger.createdCount('payments')}`,
              '',
            );

            // A transient fault: 503 twice, then fine.
            provider.route('/flaky', { script: [{ status: 503 }, { status: 503 }], then: { status: 200 } });
            decisions.length = 0;
            const [flaky] = await runAll(
              toolkit,
              [{ url: provider.url('/flaky'), policy: 'httpApi' }],
              30_000,
            );
            report.push(
              'A transient fault: the provider answers 503 twice, then recovers',
              `  with the toolkit: ${provider.calls('/flaky')} calls (${provider
                .requests('/flaky')
                .map((r) => r.status)
                .join(', ')}), ${describe(flaky!)}`,
              ...decisions.map(
                (d) =>
                  `    attempt ${d.attempt}: ${d.kind.toUpperCase()} ${d.reason}, next attempt after ${d.delayMs} ms (jittered backoff)`,
              ),
              '',
            );
          })().finally(() => workers.forEach((worker) => worker.shutdown())),
        ),
    );
    // Forensics: what `temporal-resilience inspect` says about the incident workflows, with HTML timelines.
    rmSync(OUTPUT_DIR, { recursive: true, force: true });
    mkdirSync(OUTPUT_DIR, { recursive: true });
    report.push(`Forensics (temporal-resilience inspect), timelines in ${OUTPUT_DIR}/:`);
    for (const workflowId of inspected) {
      const inspection = await inspectWorkflow({ workflowId, client: server.client });
      const file = join(OUTPUT_DIR, `${workflowId}.html`);
      renderReport(inspection, { htmlFile: file });
      for (const step of [...inspection.steps, ...inspection.compensations]) {
        report.push(
          `  ${workflowId}: ${step.step} -> ${step.verdict} (${step.attempts.length} attempt(s)): ${step.explanation}`,
        );
      }
    }
    writeFileSync(join(OUTPUT_DIR, 'report.txt'), report.join('\n') + '\n');
  } finally {
    await provider.close();
    await server.close();
  }
  console.log(report.join('\n'));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
