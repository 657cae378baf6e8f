import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Three projects, run in this order by `npm test` (scripts/test.mjs):
//   unit        pure logic and main-process wiring (with the stand-in `electron` module)
//   integration real files, real keyring, real redis-server started by test/harness
//   e2e         the built renderer in Debian's Chromium, bound to the real main-process router
// and a fourth, `bench`, run only by `npm run bench`: benchmarks that print ratios, never assert on time.
const electronStandIn = { electron: fileURLToPath(new URL('./test/stand-ins/electron.ts', import.meta.url)) };

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias: electronStandIn },
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          // Property tests and the lint-fence test (a real ESLint run) take seconds alone, more on a busy machine.
          testTimeout: 60_000,
        },
      },
      {
        resolve: { alias: electronStandIn },
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000, // CLI suites start many processes; on a busy 2-core machine one takes seconds
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias: electronStandIn },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // The UI answers after real file, keyring and network I/O on a loaded 2-core machine.
          expect: { poll: { timeout: 10_000, interval: 50 } },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'bench',
          include: ['bench/**/*.bench.ts'],
          testTimeout: 30 * 60_000,
          hookTimeout: 10 * 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
