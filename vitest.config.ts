import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One throwaway PostgreSQL cluster per run for tests/pg (tests/fixtures/pg-cluster.ts).
    globalSetup: ['tests/fixtures/pg-global-setup.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
  },
});
