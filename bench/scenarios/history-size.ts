/**
 * History bytes with and without the toolkit: the same workflow on the same dev server, once on a bare worker and
 * once with the plugin. The toolkit carries attempt chains beside results (payload metadata) and small failure
 * summaries, so its histories stay close to bare ones. Sizes are the server's own `historySizeBytes`.
 */
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { resiliencePlugin } from '../../index';
import type { FakeProvider } from '../../testing';
import * as activities from '../../test/fixtures/ledger-activities';
import type { historyStepsWorkflow } from '../../test/fixtures/ledger-workflows';
import type { Row } from '../table';

const WORKFLOWS_PATH = join(__dirname, '../../test/fixtures/ledger-workflows.ts');
const NO_CIRCUIT = { circuit: { mode: 'consecutive', consecutiveFailures: 1_000_000 } } as const;

interface Case {
  readonly name: string;
  readonly steps: number;
  /** Failed attempts before each step succeeds. */
  readonly failuresPerStep: number;
}

const CASES: readonly Case[] = [
  { name: 'one successful step', steps: 1, failuresPerStep: 0 },
  { name: 'one step, 3 failed attempts then success', steps: 1, failuresPerStep: 3 },
  { name: '100 steps, one failure each', steps: 100, failuresPerStep: 1 },
];

async function historyBytes(
  env: TestWorkflowEnvironment,
  provider: FakeProvider,
  withToolkit: boolean,
  c: Case,
  n: number,
): Promise<number> {
  const taskQueue = `history-size-${withToolkit ? 'toolkit' : 'bare'}-${n}-${Date.now()}`;
  const route = `/${taskQueue}/text`;
  // Every step fails `failuresPerStep` times, then answers a 13-byte JSON string.
  provider.route(route, {
    respond: (r) =>
      (r.callNumber - 1) % (c.failuresPerStep + 1) < c.failuresPerStep
        ? { status: 500, body: { error: 'upstream failed' } }
        : { status: 200, body: 'hello, world' },
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities,
    // The circuit stays closed: the rows compare the same attempts (classified failures, not circuit refusals).
    ...(withToolkit ? { plugins: [resiliencePlugin({ tools: { fetchText: NO_CIRCUIT } })] } : {}),
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof historyStepsWorkflow>('historyStepsWorkflow', {
      taskQueue,
      workflowId: taskQueue,
      args: [provider.url(route), c.steps],
    });
    await handle.result();
    const { raw } = await handle.describe();
    return Number(raw.workflowExecutionInfo?.historySizeBytes ?? 0);
  });
}

/** One row per case: bare and toolkit history bytes and their ratio. */
export async function runHistorySize(env: TestWorkflowEnvironment, provider: FakeProvider): Promise<Row[]> {
  const rows: Row[] = [];
  let n = 0;
  for (const c of CASES) {
    const bare = await historyBytes(env, provider, false, c, n++);
    const toolkit = await historyBytes(env, provider, true, c, n++);
    rows.push({
      case: c.name,
      'bare bytes': bare,
      'toolkit bytes': toolkit,
      'toolkit / bare': toolkit / bare,
    });
  }
  return rows;
}
