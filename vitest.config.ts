import { defineConfig } from 'vitest/config';

// Unit and integration suites. Browser and wire-protocol suites have their own entry points (see package.json).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/browser/**', 'node_modules/**'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
