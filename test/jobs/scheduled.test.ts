import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { paymentReports } from "../../drizzle/schema";
import worker from "../../src/index";
import { CRON_JOBS } from "../../src/jobs/cron-table";
import { call } from "../helpers/http";
import { createUser, db } from "../helpers/factories";

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const reportFor = (day: string) => async () =>
  (await db().select().from(paymentReports).where(eq(paymentReports.reportDate, day)))[0];

describe("Cron Triggers", () => {
  it("map every trigger of wrangler.toml to a job", () => {
    expect(CRON_JOBS).toEqual({
      "0 * * * *": "token-cleanup",
      "*/5 * * * *": "auto-assign",
      "*/30 * * * *": "payment-retry",
      "0 2 * * *": "daily-report",
      "0 3 * * 0": "order-cleanup",
      "* * * * *": "escrow-release",
    });
  });

  it("scheduled() only enqueues; the real queue delivers the job to the consumer, which runs it", async () => {
    const scheduledTime = Date.parse("2026-07-05T02:00:00Z");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 2 * * *", scheduledTime }), env);
    await waitOnExecutionContext(ctx);
    expect(await reportFor("2026-07-04")()).toBeUndefined(); // not run inline
    const report = await eventually(reportFor("2026-07-04"));
    expect(report.data).toMatchObject({ payments_count: 0 });
  });

  it("an unknown cron enqueues nothing and does not throw", async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "1 1 1 1 1", scheduledTime: Date.now() }), env);
    await waitOnExecutionContext(ctx);
  });

  it("the admin run endpoint takes the same path", async () => {
    const admin = await createUser("admin");
    const res = await call("POST", "/api/admin/jobs/daily-report/run/", { token: admin.token });
    expect(res.status).toBe(202);
    const yesterday = new Date(Date.parse(res.body.requested_at) - 86_400_000).toISOString().slice(0, 10);
    await eventually(reportFor(yesterday));
  });
});
