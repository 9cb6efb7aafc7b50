import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import base from '../vitest.config';

/**
 * The vitest configuration Stryker runs (stryker.config.mjs): the unit tests only, so no Temporal server starts while
 * mutants are tested. Everything else (setup file, timeouts) is the project's own configuration. (Not `mergeConfig`:
 * it would concatenate the `include` lists instead of replacing the project's.)
 */
export default defineConfig({
  ...base,
  root: join(__dirname, '..'),
  test: { ...base.test, include: ['test/unit/**/*.test.ts'] },
});
