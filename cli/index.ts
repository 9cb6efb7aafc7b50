#!/usr/bin/env node
/**
 * @module temporal-resilience/cli
 *
 * `temporal-resilience inspect <workflowId> [--run-id ID] [--address HOST:PORT] [--namespace NS] [--json] [--html FILE]`
 */
import { parseArgs } from 'node:util';
import { inspectWorkflow, renderReport } from './inspect';

const USAGE = `Usage: temporal-resilience inspect <workflowId> [--run-id ID] [--address HOST:PORT] [--namespace NS] [--json] [--html FILE]

Reads a workflow's history and pending activities and says, per step, what each attempt met, the delay actually
observed against the delay the policy chose, whether the idempotency key was stable, and a verdict:
ok, delayed-retry, immediate-retry, duplicate-dispatch, terminal-policy-failure, circuit-open-fast-fail, pending.

  --address     Temporal frontend (default: $TEMPORAL_ADDRESS or localhost:7233)
  --namespace   namespace (default: $TEMPORAL_NAMESPACE or default)
  --run-id      a specific run (default: the latest)
  --json        print the report as JSON (schema: docs/forensics.md)
  --html FILE   also write a self-contained HTML page with a timeline of the attempts`;

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
        json: { type: 'boolean' },
        html: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, workflowId, ...rest] = parsed.positionals;
  if (parsed.values.help) {
    out(USAGE);
    return 0;
  }
  if (command !== 'inspect' || !workflowId || rest.length > 0) {
    err(
      command !== 'inspect'
        ? `Unknown command '${command ?? ''}'.\n\n${USAGE}`
        : `Missing <workflowId>.\n\n${USAGE}`,
    );
    return 2;
  }
  try {
    const report = await inspectWorkflow({
      workflowId,
      runId: parsed.values['run-id'],
      address: parsed.values.address ?? process.env.TEMPORAL_ADDRESS,
      namespace: parsed.values.namespace ?? process.env.TEMPORAL_NAMESPACE,
    });
    out(renderReport(report, { json: parsed.values.json, htmlFile: parsed.values.html }));
    if (parsed.values.html) err(`wrote ${parsed.values.html}`);
    return 0;
  } catch (error) {
    err(`inspect failed: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
