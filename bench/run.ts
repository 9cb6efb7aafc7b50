/**
 * `npm run bench`: every benchmark, each against a baseline measured in the same run; results to bench/RESULTS.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createDevServerEnv, createTimeSkippingEnv, FakeProvider } from '../testing';
import { runFleet } from './scenarios/fleet';
import { runInterceptorCost } from './scenarios/interceptor-cost';
import { runMemoryBound } from './scenarios/memory-bound';
import { runOverhead } from './scenarios/overhead';
import { budgetStorm, quotaStorm, waitStorm } from './scenarios/storms';
import { markdownTable, type Row } from './table';

const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

/** docs/benchmarks.md shows the same tables between its bench markers. */
function writeReadmeTables(results: string): void {
  const path = join(__dirname, '../docs/benchmarks.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return;
  const body = results.replace(/^# Benchmark results\n\n/, '').replace(/^## /gm, '### ');
  writeFileSync(path, `${readme.slice(0, start + README_START.length)}\n\n${body}\n${readme.slice(end)}`);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const sections: string[] = [];
  const print = (title: string, rows: Row[]) => {
    const table = markdownTable(rows);
    console.log(`\n## ${title}\n\n${table}`);
    sections.push(`## ${title}\n\n${table}`);
  };

  const dev = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
  const provider = await FakeProvider.start();
  try {
    // First, before any OpenTelemetry provider is registered: the toolkit's own cost, OpenTelemetry as no-op API.
    print(
      'Interceptor cost per call (in-process, no OpenTelemetry SDK registered)',
      await runInterceptorCost(),
    );
    print('Overhead (dev server, 2,000 no-op activities from 200 workflows)', await runOverhead(dev, rounds));
    const storms: Row[] = [];
    const timeSkipping = await createTimeSkippingEnv();
    try {
      storms.push(await quotaStorm(timeSkipping, provider));
      console.log(storms.at(-1));
    } finally {
      await timeSkipping.teardown();
    }
    storms.push(await waitStorm(dev, provider, 5));
    console.log(storms.at(-1));
    storms.push(await budgetStorm(dev, provider));
    console.log(storms.at(-1));
    print('Storm containment (toolkit versus Temporal defaults with unclassified errors)', storms);
    print('Memory bound (10,000 distinct tool keys)', await runMemoryBound());
    const fleet = await runFleet(dev, provider);
    print(
      'Fleet: 3 worker processes, one task queue, provider capacity 2 (with and without the shared store)',
      fleet.runs,
    );
    print('Shared store cost per attempt (one governor, in-process, Redis on 127.0.0.1)', fleet.cost);
  } finally {
    await provider.close();
    await dev.teardown();
  }
  const header = [
    '# Benchmark results',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\` on ${cpus().length} cores, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; each comparison in the same run.`,
    '',
  ];
  const results = [...header, ...sections].join('\n\n').replace(/\n{3,}/g, '\n\n') + '\n';
  writeFileSync(join(__dirname, 'RESULTS.md'), results);
  writeReadmeTables(results);
  console.log('\nwrote bench/RESULTS.md and the tables in docs/benchmarks.md');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
