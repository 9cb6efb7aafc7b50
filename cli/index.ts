#!/usr/bin/env node
/**
 * @module temporal-resilience/cli
 *
 * `temporal-resilience inspect <workflowId> [--run-id ID] [--json] [--html FILE]` (one execution) or
 * `temporal-resilience inspect --query '<visibility query>' [--json] [--html FILE]` (many).
 * `temporal-resilience tools --redis URL [--prefix P] [--release KEY] [--json]` (the fleet's per-tool containment).
 */
import { parseArgs } from 'node:util';
import { inspectFleet, inspectWorkflow, renderFleet, renderReport } from './inspect';
import { toolsCommand } from './tools';

const USAGE = `Usage: temporal-resilience inspect <workflowId> [--run-id ID] [--address HOST:PORT] [--namespace NS] [--json] [--html FILE]
       temporal-resilience inspect --query '<visibility query>' [--limit N] [--stall-minutes M] [--cost-factor F] [--immediate-ms N] [--json] [--html FILE]
       temporal-resilience tools --redis URL [--prefix PREFIX] [--release TOOL_KEY] [--json]

One execution: reads its history and pending activities and says, per step, what each attempt met, the delay
actually observed against the delay the policy chose, whether the idempotency key was stable, and a verdict:
ok, delayed-retry, immediate-retry, duplicate-dispatch, lease-overlap, duplicate-log, terminal-policy-failure,
circuit-open-fast-fail, rerouted, pending.

Many executions (--query, e.g. 'WorkflowType="llmCallWorkflow" AND StartTime > "2026-11-25T00:00:00Z"', or '' for
all): counts per verdict, retries of the same action that met the same error inside their backoff window,
executions costing more than 3x the median of their workflow type, and stalled executions.

  --address        Temporal frontend (default: $TEMPORAL_ADDRESS or localhost:7233)
  --namespace      namespace (default: $TEMPORAL_NAMESPACE or default)
  --run-id         a specific run (default: the latest)
  --query          a visibility query: inspect every matching execution
  --limit          at most this many executions with --query (default 1000, newest first)
  --stall-minutes  with --query: a running attempt without a heartbeat this long is stalled (default 5)
  --cost-factor    with --query: list executions above this many times their type's median cost (default 3)
  --immediate-ms   a retry this soon after a failure (with no recorded next_not_before) is immediate (default 100)
  --json           print the report as JSON (schemas: docs/operations.md)
  --html FILE      also write a self-contained HTML page (a timeline, or the fleet summary with --query)

tools: each tool's containment shared by the fleet through redisStore (circuit, in flight / limit, quota hold,
pause), or --release TOOL_KEY to end a tool's quota hold and pause now, for every worker (docs/fleet.md).

  --redis          the Redis URL the workers' redisStore uses (default: $REDIS_URL)
  --prefix         the store's keyPrefix (default: temporal-resilience:)
  --release        end this tool key's hold and pause (a tenant-scoped key in full, as listed)`;

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(
  argv: string[],
  out: (text: string) => void = console.log,
  err = console.error,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'run-id': { type: 'string' },
        address: { type: 'string' },
        namespace: { type: 'string' },
        query: { type: 'string' },
        limit: { type: 'string' },
        'stall-minutes': { type: 'string' },
        'cost-factor': { type: 'string' },
        'immediate-ms': { type: 'string' },
        json: { type: 'boolean' },
        html: { type: 'string' },
        redis: { type: 'string' },
        prefix: { type: 'string' },
        release: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, workflowId, ...rest] = parsed.positionals;
  const values = parsed.values;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (command === 'tools') {
    const redis = values.redis ?? process.env.REDIS_URL;
    if (!redis || workflowId !== undefined) {
      err(`${redis ? 'tools takes no positional argument' : 'Missing --redis URL'}.\n\n${USAGE}`);
      return 2;
    }
    return toolsCommand(
      {
        redis,
        ...(values.prefix !== undefined ? { prefix: values.prefix } : {}),
        ...(values.release !== undefined ? { release: values.release } : {}),
        ...(values.json ? { json: true } : {}),
      },
      out,
      err,
    );
  }
  const fleet = values.query !== undefined;
  if (command !== 'inspect' || rest.length > 0 || (fleet ? workflowId !== undefined : !workflowId)) {
    err(
      command !== 'inspect'
        ? `Unknown command '${command ?? ''}'.\n\n${USAGE}`
        : fleet
          ? `Give either <workflowId> or --query, not both.\n\n${USAGE}`
          : `Missing <workflowId> (or --query).\n\n${USAGE}`,
    );
    return 2;
  }
  const numbers: Record<string, number | undefined> = {};
  for (const name of ['limit', 'stall-minutes', 'cost-factor', 'immediate-ms'] as const) {
    const raw = values[name];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!(Number.isFinite(n) && n > 0)) {
      err(`--${name} must be a number > 0, got '${raw}'.\n\n${USAGE}`);
      return 2;
    }
    numbers[name] = n;
  }
  const connect = {
    address: values.address ?? process.env.TEMPORAL_ADDRESS,
    namespace: values.namespace ?? process.env.TEMPORAL_NAMESPACE,
    immediateThresholdMs: numbers['immediate-ms'],
  };
  try {
    if (fleet) {
      const report = await inspectFleet({
        ...connect,
        query: values.query!,
        limit: numbers.limit,
        stallAfterMs: numbers['stall-minutes'] !== undefined ? numbers['stall-minutes'] * 60_000 : undefined,
        costFactor: numbers['cost-factor'],
      });
      out(renderFleet(report, { json: values.json, htmlFile: values.html }));
    } else {
      const report = await inspectWorkflow({ ...connect, workflowId: workflowId!, runId: values['run-id'] });
      out(renderReport(report, { json: values.json, htmlFile: values.html }));
    }
    if (values.html) err(`wrote ${values.html}`);
    return 0;
  } catch (error) {
    err(`inspect failed: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
