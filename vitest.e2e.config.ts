import { defineConfig } from "vitest/config";

// Browser journeys against a real `wrangler dev` (started by the global setup) in plain Node,
// not the workers pool. Run with `npm run test:e2e`; needs /usr/bin/chromium.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    environment: "node",
    globalSetup: ["./test/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
