import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Memory tests measure what survives a full collection (global.gc).
    execArgv: ['--expose-gc'],
    // Seeds of property tests in CI (test/helpers/seed.ts).
    setupFiles: ['test/helpers/setup.ts'],
    reporters: ['default'],
  },
});
