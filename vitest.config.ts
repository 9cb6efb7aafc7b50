import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // The `threads` pool crashes in @swc/core when several files bundle workflow code; forks are isolated.
    pool: 'forks',
    // Real servers start in a few seconds and time-skipping tests still do real I/O.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
