import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * The API suite against a real libSQL server (sqld) instead of D1: `npm run test:turso`.
 *
 * sqld is one database for the whole run (D1 storage is isolated per test file), so this runs the
 * suites that only rely on their own unique rows; together they cover every module's writes,
 * guarded transitions, full-text search, round-trip counts and the notification Durable Object
 * reading the inbox. Left out: test/jobs (cleanup, report and auto-assign jobs act on every row of
 * the database, so other files' rows change their results), test/wire.test.ts (injects a failing
 * D1 binding), test/docs.test.ts (no database) and the files excluded below.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "test/db/**/*.test.ts",
      "test/health.test.ts",
      "test/accounts/**/*.test.ts",
      "test/catalog/**/*.test.ts",
      "test/orders/**/*.test.ts",
      "test/payments/**/*.test.ts",
      "test/notifications/**/*.test.ts",
      "test/realtime/**/*.test.ts",
      "test/reviews/**/*.test.ts",
      "test/messages/**/*.test.ts",
      "test/turso/**/*.test.ts",
      "test/payouts/**/*.test.ts",
    ],
    exclude: [
      // Seeds 10,000 rows straight into the D1 binding to check D1 query plans; nothing to learn on sqld.
      "test/catalog/services-scale.test.ts",
      // The payment retry job retries every due payment in the database, other files' included.
      "test/payments/retry.test.ts",
      // Auto-assign runs over every open order in the database; on the shared sqld database other files' orders compete.
      "test/reviews/rating-rank.test.ts",
      // Lists every payout in the database as an admin (one page of them).
      "test/payouts/accounts-earnings.test.ts",
    ],
    globalSetup: [...[base.test?.globalSetup ?? []].flat(), "./test/turso/global-setup.ts"],
  },
});
