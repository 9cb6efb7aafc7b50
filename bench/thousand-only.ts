/**
 * Quick re-measure of the 1,000-workflow row alone (not part of `npm run bench`):
 * `npx tsx bench/thousand-only.ts [rounds]`. Add `--cpu-prof` through NODE_OPTIONS to profile it.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createDevServerEnv, FakeProvider } from '../testing';
import { thousand } from './scenarios/containment';
import { markdownTable } from './table';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
  const provider = await FakeProvider.start();
  try {
    const { rows } = await thousand(env, provider, Number(process.argv[2] ?? 3));
    console.log(markdownTable(rows));
  } finally {
    await provider.close();
    await env.teardown();
  }
}

void main().then(() => process.exit(0));
