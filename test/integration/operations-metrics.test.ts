import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { parse } from 'yaml';
import { resiliencePlugin } from '../../index';
import { METRICS, prometheusName } from '../../src/telemetry-names';
import type { FakeProvider } from '../../testing';
import { REFERENCE_MODEL } from '../../examples/activities';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

const root = join(__dirname, '../..');

/** One series of the Prometheus text format. */
interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[pair[1]!] = pair[2]!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** Every PromQL expression of the dashboard and the alert rules. */
function operatorExpressions(): Array<{ where: string; expr: string; legend?: string }> {
  const dashboard = JSON.parse(
    readFileSync(join(root, 'ops/grafana/dashboards/temporal-resilience.json'), 'utf8'),
  ) as {
    panels: Array<{ title: string; targets?: Array<{ expr: string; legendFormat?: string }> }>;
    templating: { list: Array<{ name: string; definition: string }> };
  };
  const rules = parse(readFileSync(join(root, 'ops/prometheus/alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  };
  return [
    ...dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr, legend: t.legendFormat })),
    ),
    ...dashboard.templating.list.map((v) => ({ where: `variable ${v.name}`, expr: v.definition })),
    ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
  ];
}

// Real metrics from a real worker, read the way Prometheus reads them: the worker's `/metrics` over HTTP.
describe('the metrics operators alert on, scraped from a worker on the real dev server', () => {
  let servers: { env: TestWorkflowEnvironment; provider: FakeProvider };
  let worker: Worker;
  let running: Promise<void>;
  let scrapeServer: Server;
  let scrapeUrl: string;
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const taskQueue = uniqueTaskQueue('ops-metrics');

  async function scrape(): Promise<Sample[]> {
    const response = await fetch(scrapeUrl);
    return parseExposition(await response.text());
  }
  const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

  async function run(name: string, type: string, args: unknown[]): Promise<void> {
    await servers.env.client.workflow
      .execute(type, { taskQueue, workflowId: `${taskQueue}-${name}`, args })
      .catch(() => undefined);
  }

  beforeAll(async () => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
    scrapeServer = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
    await new Promise<void>((resolve) => scrapeServer.listen(0, '127.0.0.1', resolve));
    scrapeUrl = `http://127.0.0.1:${(scrapeServer.address() as AddressInfo).port}/metrics`;
    servers = await startServers('dev-server');
    const plugin = resiliencePlugin({
      prices: { [REFERENCE_MODEL]: { inputPerMillion: 100, outputPerMillion: 200 } },
      // One tool per scenario (the last path segment), so a hold or an open circuit stays in its own scenario.
      toolKey: (info, args) =>
        info.activityType === 'chat' ? 'chat' : (String(args[0]).split('/').pop() ?? info.activityType),
      tools: { open: { circuit: { mode: 'consecutive', consecutiveFailures: 1, openMs: 1_000 } } },
    });
    worker = await createExampleWorker(servers.env, taskQueue, { plugins: [plugin] });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await new Promise((resolve) => scrapeServer?.close(resolve));
    await stopServers(servers ?? {});
  });

  it('records each execution once, when it closes, with the cost from its ledger', async () => {
    const usage = { input_tokens: 2000, output_tokens: 1000 };
    servers.provider.route('/m-llm/v1/chat', {
      script: [{ status: 503, body: { usage } }],
      then: { status: 200, body: { text: 'hi', usage } },
    });
    await run('llm', 'llmCallWorkflow', [
      { baseUrl: servers.provider.url('/m-llm'), prompt: 'x', initialIntervalMs: 50 },
    ]);
    const samples = await scrape();
    const type = { temporal_workflow_type: 'llmCallWorkflow' };
    // Two attempts at $0.40 each (2000 in at $100/M, 1000 out at $200/M), the failed one included.
    expect(find(samples, 'temporal_resilience_execution_cost_count', type).map((s) => s.value)).toEqual([1]);
    expect(find(samples, 'temporal_resilience_execution_cost_sum', type)[0]!.value).toBeCloseTo(0.8, 6);
    expect(find(samples, 'temporal_resilience_execution_cost_bucket', { ...type, le: '0.5' })[0]!.value).toBe(
      0,
    );
    expect(find(samples, 'temporal_resilience_execution_cost_bucket', { ...type, le: '1' })[0]!.value).toBe(
      1,
    );
    expect(
      find(samples, 'temporal_resilience_execution_cost_count', {
        temporal_resilience_execution_status: 'completed',
      }),
    ).toHaveLength(1);
  });

  it("counts attempts refused by a spent budget, and the failed execution's cost", async () => {
    servers.provider.route('/m-budget/v1/chat', {
      then: { status: 503, body: { usage: { input_tokens: 2000, output_tokens: 1000 } } },
    });
    await run('budget', 'llmCallWorkflow', [
      { baseUrl: servers.provider.url('/m-budget'), prompt: 'x', budgetUsd: 0.3, initialIntervalMs: 50 },
    ]);
    const samples = await scrape();
    expect(
      find(samples, 'temporal_resilience_budget_stops_total', {
        temporal_workflow_type: 'llmCallWorkflow',
      })[0]!.value,
    ).toBe(1);
    const failed = {
      temporal_workflow_type: 'llmCallWorkflow',
      temporal_resilience_execution_status: 'failed',
    };
    expect(find(samples, 'temporal_resilience_execution_cost_count', failed)[0]!.value).toBe(1);
    expect(find(samples, 'temporal_resilience_execution_cost_sum', failed)[0]!.value).toBeCloseTo(0.4, 6);
  });

  it('counts 429s by tool and class, and a STOP holds the tool shut for its Retry-After', async () => {
    servers.provider.route('/m/quota', { then: { status: 429, headers: { 'retry-after': '10800' } } });
    servers.provider.route('/m/cap', { script: [{ status: 429 }], then: { status: 200 } });
    await run('quota', 'callProviderWorkflow', [{ url: servers.provider.url('/m/quota') }]);
    await run('cap', 'callProviderWorkflow', [
      { url: servers.provider.url('/m/cap'), policy: 'httpApi', initialIntervalSeconds: 0.1 },
    ]);
    const samples = await scrape();
    const scrapedBy = Date.now();
    expect(
      find(samples, 'temporal_resilience_rate_limited_total', {
        temporal_resilience_tool: 'quota',
        temporal_resilience_classification_kind: 'stop',
      }).map((s) => s.value),
    ).toEqual([1]);
    expect(
      find(samples, 'temporal_resilience_rate_limited_total', {
        temporal_resilience_tool: 'cap',
        temporal_resilience_classification_kind: 'cap',
      }).map((s) => s.value),
    ).toEqual([1]);
    expect(
      find(samples, 'temporal_resilience_holds_total', { temporal_resilience_tool: 'quota' }),
    ).toHaveLength(1);
    const hold = find(samples, 'temporal_resilience_hold_remaining', {
      temporal_resilience_tool: 'quota',
    })[0]!;
    // Retry-After 10800 s, but a hold lasts at most quotaHoldMs (15 minutes by default), then one probe asks again.
    // It was set after the provider received the 429's request and read before the scrape returned: 900 s less at
    // most that interval remain (both on this process's clock; no bound on how long the interval may be).
    const holdSetAfter = servers.provider.requests('/m/quota')[0]!.receivedAt;
    expect(hold.value).toBeLessThanOrEqual(900);
    expect(hold.value).toBeGreaterThanOrEqual(900 - (scrapedBy - holdSetAfter) / 1000);
    expect(
      find(samples, 'temporal_resilience_hold_remaining', { temporal_resilience_tool: 'cap' })[0]!.value,
    ).toBe(0);
  });

  it('exports circuit openings and the open state per tool', async () => {
    servers.provider.route('/m/open', { then: { status: 503 } });
    await run('open', 'callProviderWorkflow', [
      {
        url: servers.provider.url('/m/open'),
        policy: 'httpApi',
        initialIntervalSeconds: 0.1,
        maximumAttempts: 2,
      },
    ]);
    const samples = await scrape();
    expect(
      find(samples, 'temporal_resilience_circuit_transitions_total', {
        temporal_resilience_tool: 'open',
        to: 'open',
      })[0]!.value,
      // Opened by the first failure; the second call is the probe, which fails and opens it again.
    ).toBe(2);
    expect(
      find(samples, 'temporal_resilience_circuit_state', { temporal_resilience_tool: 'open' })[0]!.value,
    ).toBe(2);
  });

  it('has retry-delay buckets that reach hours', async () => {
    const samples = await scrape();
    const les = new Set(find(samples, 'temporal_resilience_retry_delay_bucket').map((s) => s.labels.le));
    for (const le of ['100', '60000', '3600000', '21600000', '+Inf']) expect(les).toContain(le);
  });

  it('shows a hung call as a running attempt whose time without progress grows', async () => {
    servers.provider.route('/m/hang', { then: { status: 200, hang: true } });
    const handle = await servers.env.client.workflow.start('callProviderWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-hang`,
      args: [{ url: servers.provider.url('/m/hang'), responseTimeoutMs: 120_000 }],
    });
    while (servers.provider.calls('/m/hang') === 0) await new Promise((r) => setTimeout(r, 20));
    const labels = { temporal_resilience_tool: 'hang', temporal_workflow_type: 'callProviderWorkflow' };
    const first = find(await scrape(), 'temporal_resilience_attempt_idle', labels)[0]!.value;
    await new Promise((r) => setTimeout(r, 1_200));
    const samples = await scrape();
    await handle.terminate('test done');
    expect(find(samples, 'temporal_resilience_attempts_running', labels)[0]!.value).toBe(1);
    const later = find(samples, 'temporal_resilience_attempt_idle', labels)[0]!.value;
    expect(later - first).toBeGreaterThanOrEqual(1.1);
  });

  it('the dashboard and the alert rules use only metrics and labels the worker exports', async () => {
    const samples = await scrape();
    const exported = new Map<string, Set<string>>();
    for (const s of samples) {
      const labels = exported.get(s.name) ?? new Set<string>();
      for (const l of Object.keys(s.labels)) labels.add(l);
      exported.set(s.name, labels);
    }
    // Every instrument in telemetry-names.ts is exported under its Prometheus name (the test covers them all).
    for (const name of Object.values(METRICS)) {
      const base = prometheusName(name);
      const found = [base, `${base}_total`, `${base}_bucket`].some((n) => exported.has(n));
      expect(found, `${name} is exported as ${base}[_total|_bucket]`).toBe(true);
    }
    const expressions = operatorExpressions();
    expect(expressions.length).toBeGreaterThan(15);
    for (const { where, expr, legend } of expressions) {
      // Metric names: what is left once label lists (`by (...)`, `on (...)`) and matchers (`{...}`) are removed.
      const names = expr.replace(/\b(?:by|on) \([^)]*\)/g, '').replace(/\{[^}]*\}/g, '');
      const used = [...names.matchAll(/\btemporal_resilience_[a-z_]+/g)].map((m) => m[0]);
      expect(used.length, `${where} reads a toolkit metric`).toBeGreaterThan(0);
      const labels = new Set(used.flatMap((m) => [...(exported.get(m) ?? [])]));
      for (const metric of used) expect(exported.has(metric), `${where}: ${metric}`).toBe(true);
      const grouped = [
        ...[...expr.matchAll(/\b(?:by|on) \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',')),
        ...[...expr.matchAll(/([a-z_]+)=~?"/g)].map((m) => m[1]!),
        ...[...(legend ?? '').matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!),
        ...[...expr.matchAll(/label_values\([a-z_]+, ([a-z_]+)\)/g)].map((m) => m[1]!),
      ]
        .map((l) => l.trim())
        .filter((l) => l !== '' && l !== 'alertstate' && l !== 'alertname');
      for (const label of grouped) expect([...labels], `${where}: label ${label}`).toContain(label);
    }
  });
});
