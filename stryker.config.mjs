// @ts-check
/**
 * Mutation testing (`npm run test:mutation`): StrykerJS seeds small bugs ("mutants") into the pure and worker-side
 * logic one at a time and runs the unit tests that cover each one; a mutant no test notices is a gap in the suite.
 * See docs/mutation-testing.md for the score, how to read the report and the surviving mutants judged equivalent.
 *
 * To mutate a new module, add its path or glob to
 * `MUTATE` below and to the "include" of test/tsconfig.stryker.json; its unit tests under test/unit/ are found through
 * their imports (`vitest.related`).
 */

/** Files whose mutants count towards the score. Globs are relative to the repository root. */
const MUTATE = [
  // Pure logic: classification, backoff, retry decisions, presets, idempotency keys, attempts, cost, forensics.
  'src/**/*.ts',
  // Worker side: the one table mapping a classification to an ApplicationFailure shape.
  'interceptors/failure-mapping.ts',
  // Worker side: the per-tool governor (admission, bounded waits, the circuit's probe hand-off) and its in-memory
  // store. Their limit algorithms and state machine are pure and live in src/containment (mutated above). Their unit
  // tests run on vitest's fake timers and an injected clock, so no mutant waits on real time.
  'interceptors/containment/tool-governor.ts',
  'interceptors/containment/governor-store.ts',
];

/** Re-exports only: no logic to mutate. */
const NOT_MUTATED = ['!src/index.ts'];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  vitest: {
    configFile: 'test/vitest.stryker.config.ts',
    // Only test/unit: no Temporal server starts under Stryker, and each mutant runs the unit tests that import it.
    related: true,
  },
  // Per-test coverage: a mutant runs only the tests that executed its code in the initial run.
  coverageAnalysis: 'perTest',
  // Mutants that do not type-check are reported as compile errors (not run, not counted). The checker's project is
  // the mutated code and its imports only (test/tsconfig.stryker.json): checking the whole repository per mutant
  // doubled the run time. Add a new mutated folder to its "include" as well.
  checkers: ['typescript'],
  tsconfigFile: 'test/tsconfig.stryker.json',
  // The machine is shared: one test runner and one checker at a time.
  concurrency: 1,
  mutate: [...MUTATE, ...NOT_MUTATED],
  // The Temporal binaries, build output and earlier reports are not needed in Stryker's sandbox copy.
  ignorePatterns: ['.temporal', 'dist', 'coverage', 'demo-output', 'reports'],
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // A re-run tests only the mutants whose code or covering tests changed since the last run (kept beside the report).
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // The score the issue asks for; below `break` the command fails.
  thresholds: { high: 90, low: 85, break: 85 },
};

export default config;
