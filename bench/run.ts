/**
 * `npm run bench`: every benchmark, each against a baseline measured in the same run; results to bench/RESULTS.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createDevServerEnv, createTimeSkippingEnv, FakeProvider } from '../testing';
import { runContainment } from './scenarios/containment';
import { runHistorySize } from './scenarios/history-size';
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

/** Sections of the results, in order; `BENCH_ONLY=containment,storms` runs some and keeps the others' last results. */
const SECTIONS = ['interceptor', 'overhead', 'containment', 'storms', 'memory', 'history', 'fleet'] as const;
type Section = (typeof SECTIONS)[number];

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  // `BENCH_ONLY=` (empty) runs nothing and only composes RESULTS.md from the sections' last results.
  const only =
    process.env.BENCH_ONLY === undefined
      ? [...SECTIONS]
      : process.env.BENCH_ONLY.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`BENCH_ONLY: unknown section ${unknown.join(', ')}; use ${SECTIONS.join(', ')}`);
  const run = (section: Section) => only.includes(section);
  const resultsDir = join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  // Each section says when it was measured: a run of some sections keeps the others' older results.
  const measured = `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\`.`;
  const write = (section: Section, parts: string[]) => {
    const [first = '', ...rest] = parts;
    const dated = first.replace(/^(## [^\n]*\n)/, `$1\n${measured}\n`);
    writeFileSync(join(resultsDir, `${section}.md`), [dated, ...rest].join('\n\n') + '\n');
  };
  const table = (title: string, rows: Row[]) => {
    const text = `## ${title}\n\n${markdownTable(rows)}`;
    console.log(`\n${text}`);
    return text;
  };

  const dev = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
  const provider = await FakeProvider.start();
  try {
    // First, before any OpenTelemetry provider is registered: the toolkit's own cost, OpenTelemetry as no-op API.
    if (run('interceptor')) {
      write('interceptor', [
        table(
          'Interceptor cost per call (in-process, no OpenTelemetry SDK registered)',
          await runInterceptorCost(),
        ),
      ]);
    }
    if (run('overhead')) {
      write('overhead', [
        table(
          'Overhead (dev server, 2,000 no-op activities from 200 workflows)',
          await runOverhead(dev, rounds),
        ),
      ]);
    }
    if (run('containment')) {
      const containment = await runContainment(dev, provider, rounds);
      write(
        'containment',
        containment.sections.map(
          (s) => table(s.title, s.rows) + s.charts.map((c) => `\n\n![${c}](${c})`).join(''),
        ),
      );
    }
    if (run('storms')) {
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
      write('storms', [
        table('Storm containment (toolkit versus Temporal defaults with unclassified errors)', storms),
      ]);
    }
    if (run('memory')) {
      write('memory', [table('Memory bound (10,000 distinct tool keys)', await runMemoryBound())]);
    }
    if (run('fleet')) {
      const fleet = await runFleet(dev, provider, rounds);
      write('fleet', [
        table(
          'Fleet: 3 worker processes, one task queue, provider capacity 2 (with and without the shared store)',
          fleet.runs,
        ),
        table(
          'Fleet: tool down for 10 s, 3 worker processes (probes with and without the shared store)',
          fleet.outage,
        ),
        table(
          'Fleet: steady-state throughput, 3 worker processes (with and without the shared store, same run)',
          fleet.throughput,
        ),
        table('Shared store cost per attempt (one governor, in-process, Redis on 127.0.0.1)', fleet.cost),
      ]);
    }
    if (run('history')) {
      write('history', [
        table(
          'History size (dev server, bare versus toolkit, server-reported bytes)',
          await runHistorySize(dev, provider),
        ),
      ]);
    }
  } finally {
    await provider.close();
    await dev.teardown();
  }
  const header = [
    '# Benchmark results',
    '',
    `Measured by \`npm run bench\` on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `Node ${process.version}; each comparison in the same run, min/median/max over the rounds given; each ` +
      `section says when it was measured.`,
    '',
  ];
  const sections = SECTIONS.map((s) => join(resultsDir, `${s}.md`))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8').trim());
  const results = [...header, ...sections].join('\n\n').replace(/\n{3,}/g, '\n\n') + '\n';
  writeFileSync(join(__dirname, 'RESULTS.md'), results);
  writeReadmeTables(results.replace(/\]\(charts\//g, '](../bench/charts/'));
  console.log('\nwrote bench/RESULTS.md and the tables in docs/benchmarks.md');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
