import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { unstable_readConfig } from "wrangler";
import { defineConfig, type Plugin } from "vitest/config";

/** Stripe's ESM build ships sourcemaps without sources; silence Vite's warning about each one. */
const quietMissingSourcemaps: Plugin = {
  name: "quiet-missing-sourcemaps",
  configResolved(config) {
    const warnOnce = config.logger.warnOnce.bind(config.logger);
    config.logger.warnOnce = (message, options) => {
      if (!message.includes("points to missing source files")) warnOnce(message, options);
    };
  },
};

export default defineConfig({
  plugins: [
    quietMissingSourcemaps,
    cloudflareTest(async ({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          ENVIRONMENT: "test",
          // Tests assert D1 round trips per request through the X-DB-Queries header.
          EXPOSE_QUERY_COUNT: "true",
          JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          // The Cron Triggers as wrangler.toml declares them, for the test that each one has a job.
          TEST_CRONS: unstable_readConfig({ config: "wrangler.toml" }).triggers.crons ?? [],
          // Set only by vitest.turso.config.ts (its globalSetup starts sqld); "" = D1 even if .dev.vars names a Turso URL.
          TURSO_DATABASE_URL: inject("tursoDatabaseUrl") ?? "",
        },
      },
    })),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    // Only meaningful against sqld: `npm run test:turso` runs them.
    exclude: ["test/turso/**", "**/node_modules/**"],
    setupFiles: ["./test/setup.ts"],
    globalSetup: ["./test/fake-stripe/global-setup.ts"],
    silent: "passed-only",
    // A hang guard, not a speed check: a 2-core CI machine running workerd, sqld and the fake Stripe
    // server at once can stall a concurrent test for seconds without anything being wrong.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
