// A fleet of worker processes on one task queue (test/fixtures/fleet-worker-process.ts), and a batch of workflows
// run through it, measured by the provider's counters and the workflows' histories. Used by the fleet integration
// test and the fleet benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { CallProviderInput } from '../../examples/workflows/call-provider';

const root = join(__dirname, '../..');

/** How the fleet's workers are configured. */
export interface FleetOptions {
  readonly address: string;
  readonly taskQueue: string;
  readonly workers: number;
  /** Share containment through this Redis; without it each worker keeps its own. */
  readonly redisUrl?: string;
  readonly keyPrefix?: string;
  /** `defaultToolLimits.maxConcurrency` of every worker (the fleet's limit with a shared store). */
  readonly maxConcurrency?: number;
}

/** A running fleet. */
export interface Fleet {
  readonly processes: readonly ChildProcess[];
  /** How many times a worker's shared store went degraded (did not answer within its deadline) so far. */
  degradedEvents(): number;
  stop(): Promise<void>;
}

/** Starts the fleet's worker processes and resolves once each polls its task queue. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const degraded = { count: 0 };
  const processes = await Promise.all(
    Array.from({ length: options.workers }, () => startWorkerProcess(options, degraded)),
  );
  return {
    processes,
    degradedEvents: () => degraded.count,
    stop: async () => {
      await Promise.all(
        processes.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
              child.once('exit', () => (clearTimeout(timer), resolve()));
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

function startWorkerProcess(options: FleetOptions, degraded: { count: number }): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'test/fixtures/fleet-worker-process.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: options.address,
        TASK_QUEUE: options.taskQueue,
        EXPECTED_WORKERS: String(options.workers),
        ...(options.redisUrl
          ? { REDIS_URL: options.redisUrl, KEY_PREFIX: options.keyPrefix ?? 'fleet:' }
          : {}),
        ...(options.maxConcurrency !== undefined ? { MAX_CONCURRENCY: String(options.maxConcurrency) } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`worker process exited early (${code})`));
    child.once('error', reject);
    child.once('exit', early);
    child.stdout!.on('data', (data: Buffer) => {
      degraded.count += String(data).split('store degraded').length - 1;
      if (String(data).includes('ready')) {
        child.off('exit', early);
        resolve(child);
      }
    });
  });
}

/** What a batch of workflows did. */
export interface BatchResult {
  readonly succeeded: number;
  readonly failed: number;
  /** Why each failed workflow failed: its failure and the causes under it, one line per workflow. */
  readonly failures: readonly string[];
  /** Server time from the first workflow's start to the last one's close. */
  readonly makespanMs: number;
  /** Server time (epoch ms) of the last workflow's close. */
  readonly lastCloseMs: number;
}

/** Starts `count` `callProviderWorkflow`s calling `url` on the task queue and waits for every one to close. */
export async function runProviderBatch(
  client: Client,
  taskQueue: string,
  count: number,
  input: CallProviderInput,
  idPrefix = taskQueue,
): Promise<BatchResult> {
  const handles = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      client.workflow.start('callProviderWorkflow', {
        taskQueue,
        workflowId: `${idPrefix}-${i}`,
        args: [input],
        workflowExecutionTimeout: '5 minutes',
      }),
    ),
  );
  const failures: string[] = [];
  const outcomes = await Promise.all(
    handles.map((h) =>
      h.result().then(
        () => true,
        (error: unknown) => {
          failures.push(`${h.workflowId}: ${failureChain(error)}`);
          return false;
        },
      ),
    ),
  );
  let first = Infinity;
  let last = 0;
  for (const handle of handles) {
    const events = (await handle.fetchHistory()).events ?? [];
    const ms = (e: (typeof events)[number]) =>
      Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
    first = Math.min(first, ms(events[0]!));
    last = Math.max(last, ms(events[events.length - 1]!));
  }
  const succeeded = outcomes.filter(Boolean).length;
  return { succeeded, failed: count - succeeded, failures, makespanMs: last - first, lastCloseMs: last };
}

/** A failure and its causes as one line: `WorkflowFailedError: … <- ActivityFailure: … <- ApplicationFailure: …`. */
function failureChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 6; e = e.cause) {
    const type = (e as { type?: string }).type;
    parts.push(`${e.name}${type ? ` (${type})` : ''}: ${e.message}`);
  }
  return parts.join(' <- ');
}
