import { defineConfig } from 'vitest/config';

// Browser suites: Debian's Chromium driven by playwright-core against the real app on 127.0.0.1.
// Run with `npm run test:browser`; .ci/run runs it when /usr/bin/chromium exists.
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
