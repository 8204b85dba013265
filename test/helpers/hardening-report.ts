import type { TestContext } from "vitest";

/** Counts a hardening suite reports; test/hardening/print-counts.mjs prints them from vitest's JSON report. */
export type HardeningCounts = Record<string, number>;

declare module "vitest" {
  interface TaskMeta {
    hardening?: HardeningCounts;
  }
}

/** Attaches counts to the running test, so they reach the JSON report even when console output is silenced. */
export function reportCounts(context: TestContext, counts: HardeningCounts): void {
  context.task.meta.hardening = { ...counts };
}
