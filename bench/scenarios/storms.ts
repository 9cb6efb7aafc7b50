/**
 * Storm containment: the same workflows with the toolkit and without it (Temporal's default retry policy, errors left
 * unclassified), against the fake provider misbehaving in the ways of MISSION.md's incidents.
 */
import type { Duration } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowClient } from '@temporalio/client';
import { resiliencePlugin, type ResilienceOptions } from '../../index';
import { type FakeProvider, withTimeSkipping } from '../../testing';
import { REFERENCE_MODEL } from '../../examples/activities';
import { createExampleWorker } from '../../test/helpers/worker';
import type { CallProviderInput } from '../../examples/workflows/call-provider';
import type { Row } from '../table';

interface RunResult {
  /** Server time from the first workflow start to the last workflow end, in seconds. */
  lastEndSeconds: number;
  failures: number;
}

let queueCounter = 0;

/** Starts one workflow per input and waits for all (time skipping unlocked once on the time-skipping server). */
async function runWorkflows(
  env: TestWorkflowEnvironment,
  type: string,
  inputs: unknown[][],
  options: { toolkit?: ResilienceOptions; executionTimeout?: Duration },
): Promise<RunResult> {
  const taskQueue = `storm-${++queueCounter}`;
  const worker = await createExampleWorker(
    env,
    taskQueue,
    options.toolkit ? { plugins: [resiliencePlugin(options.toolkit)] } : {},
  );
  return worker.runUntil(async () => {
    const handles = await Promise.all(
      inputs.map((args, i) =>
        env.client.workflow.start(type, {
          taskQueue,
          workflowId: `${taskQueue}-${i}`,
          args,
          ...(options.executionTimeout ? { workflowExecutionTimeout: options.executionTimeout } : {}),
        }),
      ),
    );
    const wait = (client: WorkflowClient) =>
      Promise.all(
        handles.map((h) =>
          client.result(h.workflowId).then(
            () => 0,
            () => 1,
          ),
        ),
      );
    const failed = await withTimeSkipping(env, wait);
    let first = Infinity;
    let last = 0;
    for (const handle of handles) {
      const events = (await handle.fetchHistory()).events ?? [];
      const ms = (e: (typeof events)[number]) =>
        Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      first = Math.min(first, ms(events[0]!));
      last = Math.max(last, ms(events[events.length - 1]!));
    }
    return {
      lastEndSeconds: (last - first) / 1000,
      failures: failed.reduce((a: number, b: number) => a + b, 0),
    };
  });
}

function row(
  scenario: string,
  server: string,
  base: Record<string, number | string>,
  kit: Record<string, number | string>,
  extra: Row = {},
): Row {
  const ratio =
    typeof base.calls === 'number' && typeof kit.calls === 'number' && kit.calls > 0
      ? base.calls / kit.calls
      : 0;
  return {
    scenario,
    server,
    'calls baseline': base.calls!,
    'calls toolkit': kit.calls!,
    'calls ratio': ratio,
    '429s baseline': base.rejected ?? '-',
    '429s toolkit': kit.rejected ?? '-',
    'duplicate effects toolkit': kit.duplicates ?? 0,
    'time to last end baseline (s)': base.lastEndSeconds!,
    'time to last end toolkit (s)': kit.lastEndSeconds!,
    ...extra,
  };
}

/** Quota 429 (Retry-After 10800), 50 workflows, over 3 virtual hours. */
export async function quotaStorm(env: TestWorkflowEnvironment, provider: FakeProvider): Promise<Row> {
  const quota = { then: { status: 429, headers: { 'retry-after': '10800' } } };
  provider.route('/quota', quota);
  provider.reset();
  const inputs = (plain: boolean): unknown[][] =>
    Array.from({ length: 50 }, () => [
      {
        url: provider.url('/quota'),
        policy: plain ? 'temporal-default' : 'llm',
        plain,
      } satisfies CallProviderInput,
    ]);
  const base = await runWorkflows(env, 'callProviderWorkflow', inputs(true), { executionTimeout: '3 hours' });
  const baseCalls = {
    calls: provider.calls('/quota'),
    rejected: provider.responsesWithStatus(429, '/quota'),
  };
  provider.route('/quota', quota);
  provider.reset();
  const kit = await runWorkflows(env, 'callProviderWorkflow', inputs(false), { toolkit: {} });
  return row(
    'quota 429 (Retry-After 10800), 50 workflows, 3 virtual hours',
    'time-skipping',
    { ...baseCalls, ...base },
    {
      calls: provider.calls('/quota'),
      rejected: provider.responsesWithStatus(429, '/quota'),
      ...kit,
    },
  );
}

/** WAIT 429s with Retry-After: attempts made before the provider's time. Real time on the dev server. */
export async function waitStorm(
  env: TestWorkflowEnvironment,
  provider: FakeProvider,
  retryAfterSeconds: number,
): Promise<Row> {
  const route = () => {
    const seen = new Set<string>();
    provider.route('/wait', {
      respond: (r) => {
        const wf = new URL(r.url, 'http://x').searchParams.get('wf') ?? '';
        if (seen.has(wf)) return { status: 200 };
        seen.add(wf);
        return { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } };
      },
    });
    provider.reset();
  };
  const early = () => {
    let count = 0;
    const rejectedAt = new Map<string, number>();
    for (const r of provider.requests('/wait')) {
      const wf = new URL(r.url, 'http://x').searchParams.get('wf') ?? '';
      const at = rejectedAt.get(wf);
      if (at !== undefined && r.receivedAt < at + retryAfterSeconds * 1000) count++;
      if (r.status === 429) rejectedAt.set(wf, r.receivedAt);
    }
    return count;
  };
  const inputs = (plain: boolean): unknown[][] =>
    Array.from({ length: 20 }, (_, i) => [
      {
        url: `${provider.url('/wait')}?wf=${i}`,
        policy: plain ? 'temporal-default' : 'httpApi',
        plain,
      } satisfies CallProviderInput,
    ]);
  route();
  const base = await runWorkflows(env, 'callProviderWorkflow', inputs(true), {});
  const baseEarly = early();
  const baseCalls = { calls: provider.calls('/wait'), rejected: provider.responsesWithStatus(429, '/wait') };
  route();
  const kit = await runWorkflows(env, 'callProviderWorkflow', inputs(false), { toolkit: {} });
  const kitCalls = { calls: provider.calls('/wait'), rejected: provider.responsesWithStatus(429, '/wait') };
  const kitEarly = early();
  // This provider limits each caller (`wf`) on its own, as a per-user or per-API-key limit does. The defaults read
  // Retry-After as the tool's (one API key): each new caller's 429 pauses every caller. Told the callers apart
  // (`tenantOf`), each waits only for its own Retry-After.
  route();
  const perCaller = await runWorkflows(env, 'callProviderWorkflow', inputs(false), {
    toolkit: { tenantOf: (_info, args) => new URL(String(args[0])).searchParams.get('wf') ?? undefined },
  });
  return row(
    `WAIT 429s (Retry-After ${retryAfterSeconds}) limiting each caller, 20 workflows`,
    'dev (real time)',
    { ...baseCalls, ...base },
    { ...kitCalls, ...kit },
    {
      'attempts before next_not_before baseline': baseEarly,
      'attempts before next_not_before toolkit': kitEarly,
      'time to last end toolkit, callers as tenants (s)': perCaller.lastEndSeconds,
      'calls toolkit, callers as tenants': provider.calls('/wait'),
      'attempts before next_not_before toolkit, callers as tenants': early(),
    },
  );
}

/** An LLM call failing after spending $0.40 of tokens each time, under a $1 budget: dollars spent. */
export async function budgetStorm(env: TestWorkflowEnvironment, provider: FakeProvider): Promise<Row> {
  const usage = { input_tokens: 2000, output_tokens: 1000 };
  provider.route('/bill/v1/chat', {
    then: { status: 503, body: { error: 'failed after spending tokens', usage } },
  });
  provider.reset();
  const args = (budget: boolean) => [
    [
      {
        baseUrl: provider.url('/bill'),
        prompt: 'hi',
        maximumAttempts: 10,
        ...(budget ? { budgetUsd: 1 } : {}),
      },
    ],
  ];
  const base = await runWorkflows(env, 'llmCallWorkflow', args(false), {});
  const baseCalls = provider.calls('/bill/v1/chat');
  provider.reset();
  const prices = { [REFERENCE_MODEL]: { inputPerMillion: 100, outputPerMillion: 200 } };
  const kit = await runWorkflows(env, 'llmCallWorkflow', args(true), { toolkit: { prices } });
  const kitCalls = provider.calls('/bill/v1/chat');
  return row(
    'LLM call failing after spending $0.40, $1 budget (10 attempts allowed)',
    'dev (real time)',
    { calls: baseCalls, ...base },
    { calls: kitCalls, ...kit },
    {
      'USD baseline': baseCalls * 0.4,
      'USD toolkit': kitCalls * 0.4,
    },
  );
}
