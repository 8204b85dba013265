import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * The API suite against a real libSQL server (sqld) instead of D1: `npm run test:turso`.
 *
 * sqld is one database for the whole run (D1 storage is isolated per test file), so this runs the
 * suites that only rely on their own unique rows and together cover every module's writes,
 * guarded transitions, full-text search and round-trip counts. Left out: test/wire.test.ts (injects
 * a failing D1 binding), test/realtime and test/jobs (Durable Objects and Queues are miniflare-only,
 * and job tests count rows across the whole database).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "test/db/**/*.test.ts",
      "test/turso/**/*.test.ts",
      "test/health.test.ts",
      "test/accounts/**/*.test.ts",
      "test/catalog/**/*.test.ts",
      "test/orders/**/*.test.ts",
      "test/payments/**/*.test.ts",
      "test/notifications/**/*.test.ts",
    ],
    // Seeds 10,000 rows straight into the D1 binding to check D1 query plans; nothing to learn on sqld.
    exclude: ["test/catalog/services-scale.test.ts"],
    globalSetup: [...[base.test?.globalSetup ?? []].flat(), "./test/turso/global-setup.ts"],
  },
});
