import { defineConfig } from "vitest/config";

// Unit tests: no I/O, run in parallel. Integration tests: real Postgres and Redis, one database and
// one queue prefix per test file (see packages/db/src/testing.ts), template database built once.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/**/src/**/*.test.ts", "apps/**/src/**/*.test.ts", "tests/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/*.faults.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["packages/**/src/**/*.int.test.ts", "apps/**/src/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["./tooling/vitest/integration-setup.ts"],
          // Generous: several files hash real argon2id passwords, and a loaded 2-core machine is slow at it.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: "forks",
          maxWorkers: 2,
        },
      },
      {
        // `pnpm test:faults`: the built worker and web app as real processes, killed and cut off
        // (tests/faults). One drill at a time: each starts several processes of its own.
        test: {
          name: "faults",
          include: ["tests/faults/**/*.faults.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["./tooling/vitest/faults-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          pool: "forks",
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
    ],
  },
});
