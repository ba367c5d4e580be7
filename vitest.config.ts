import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The JSON report is what .ci/run reads to print its one-line summary.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
