import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["tests/global-setup.ts"],
    // In CI the JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "test-results/vitest.json" },
    // The whole suite runs once per store engine; tests open their stores through
    // tests/helpers/store.ts, which reads WARTA_TEST_STORE.
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["tests/**/*.test.ts"],
          env: { WARTA_TEST_STORE: "sqlite" },
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: ["tests/**/*.test.ts"],
          env: { WARTA_TEST_STORE: "postgres" },
          globalSetup: ["tests/global-setup-postgres.ts"],
        },
      },
    ],
  },
});
