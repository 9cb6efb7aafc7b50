import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import base from '../vitest.config';

/**
 * The vitest configuration Stryker runs (stryker.config.mjs): the unit tests only, so no Temporal server starts while
 * mutants are tested, in one shared context. Everything else (setup file, timeouts) is the project's own configuration. (Not `mergeConfig`:
 * it would concatenate the `include` lists instead of replacing the project's.)
 */
export default defineConfig({
  ...base,
  root: join(__dirname, '..'),
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts'],
    // The Redis store's fault, CLI and health tests kill and restart a real redis-server, sleep 50-350 ms and wait out
    // a 5 s deadline: a mutant of the governor or of src/containment that they happen to cover would cost seconds and
    // its verdict would depend on timing. They test redis-store.ts (not mutated); the store contract suite
    // (store-contract.test.ts, no sleeps) still runs against the in-memory store.
    // The docs' code blocks test type-checks README.md and docs/*.md with the TypeScript compiler (5 s): it imports
    // no mutated module, so it could only run for the mutants Stryker cannot attribute to tests (static ones), where
    // it would add 5 s to each; the TypeScript checker already type-checks every mutant.
    exclude: [
      'test/unit/docs-code-blocks.test.ts',
      'test/unit/containment/store-contract-faults.test.ts',
      'test/unit/containment/store-contract-cli.test.ts',
      'test/unit/containment/store-contract-health.test.ts',
    ],
    // One shared context for all test files: each mutant's run then costs the tests, not a fresh import of the SDK
    // (about 5x faster). The unit tests leave no state behind (test/setup.ts installs the SDK runtime once).
    isolate: false,
  },
});
