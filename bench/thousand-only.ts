/**
 * Quick re-measure of the 1,000-workflow row alone (not part of `npm run bench`):
 * `npx tsx bench/thousand-only.ts [rounds]`. Add `--cpu-prof` through NODE_OPTIONS to profile it.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createDevServerEnv, FakeProvider } from '../testing';
import { thousand } from './scenarios/containment';
import { markdownTable } from './table';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function serverCpuS(): number {
  const pids = execSync(`pgrep -P ${process.pid} -f start-dev || true`)
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean);
  let t = 0;
  for (const pid of pids) {
    let f: string[];
    try {
      f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    } catch {
      continue;
    }
    t += (Number(f[11]) + Number(f[12])) / 100;
  }
  return t;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
  const provider = await FakeProvider.start();
  try {
    const s0 = serverCpuS();
    const c0 = process.cpuUsage();
    const { rows } = await thousand(env, provider, Number(process.argv[2] ?? 3));
    const c1 = process.cpuUsage(c0);
    console.log('server cpu s', serverCpuS() - s0, 'node cpu s', (c1.user + c1.system) / 1e6);
    console.log(markdownTable(rows));
  } finally {
    await provider.close();
    await env.teardown();
  }
}

void main().then(() => process.exit(0));
