import { defineConfig } from 'vitest/config';

// Two runs: `npm test` (project "fast", under 5 minutes on 2 cores) and `npm run test:slow` (project
// "slow": heavy end-to-end tests, files named *.slow.test.ts). Both start from an up-to-date dist/.
// Timeouts are a backstop against a hang, not a speed limit: a busy machine must not fail a test.
const shared = { testTimeout: 3_600_000, hookTimeout: 3_600_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    globalSetup: ['test/build-cli.ts'],
    projects: [
      { test: { ...shared, name: 'fast', include: ['test/**/*.test.ts'], exclude: ['test/**/*.slow.test.ts'] } },
      { test: { ...shared, name: 'slow', include: ['test/**/*.slow.test.ts'] } },
    ],
  },
});
