import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

/**
 * Starts test/fixtures/worker-process.ts (a worker with the toolkit) in a process of its own, for a test to kill with
 * SIGKILL; resolves once the worker polls. `app` picks the reference app or the attempt-ledger fixtures; `env` adds
 * variables (`REDIS_URL` and `KEY_PREFIX` for a shared store).
 */
export function startWorkerProcess(
  address: string,
  taskQueue: string,
  app: 'examples' | 'ledger' = 'examples',
  env: Readonly<Record<string, string>> = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/worker-process.ts')], {
    cwd: root,
    env: { ...process.env, ...env, TEMPORAL_ADDRESS: address, TASK_QUEUE: taskQueue, WORKER_APP: app },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`worker process exited early (${code})`));
    child.once('error', reject);
    child.once('exit', early);
    child.stdout!.on('data', (data: Buffer) => {
      if (String(data).includes('ready')) {
        child.off('exit', early);
        resolve(child);
      }
    });
  });
}
