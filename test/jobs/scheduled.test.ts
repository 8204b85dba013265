import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { paymentReports } from "../../drizzle/schema";
import worker from "../../src/index";
import { CRON_JOBS, JOB_NAMES } from "../../src/jobs/cron-table";
import { eventually } from "../helpers/eventually";
import { call } from "../helpers/http";
import { createUser, db } from "../helpers/factories";

const reportFor = (day: string) => async () => {
  const [report] = await db().select().from(paymentReports).where(eq(paymentReports.reportDate, day));
  if (!report) throw new Error(`no report for ${day} yet`);
  return report;
};
const noReportFor = async (day: string) =>
  (await db().select().from(paymentReports).where(eq(paymentReports.reportDate, day))).length === 0;

describe("Cron Triggers", () => {
  it("map every trigger of wrangler.toml to a job, and every job to a trigger", () => {
    expect(Object.keys(CRON_JOBS).sort()).toEqual([...env.TEST_CRONS].sort());
    expect(new Set(Object.values(CRON_JOBS).flat())).toEqual(new Set(JOB_NAMES));
    expect(Object.values(CRON_JOBS).flat()).toHaveLength(JOB_NAMES.length);
  });

  it("scheduled() only enqueues; the real queue delivers the job to the consumer, which runs it", async () => {
    const scheduledTime = Date.parse("2026-07-05T02:00:00Z");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 2 * * *", scheduledTime }), env);
    await waitOnExecutionContext(ctx);
    expect(await noReportFor("2026-07-04")).toBe(true); // not run inline
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
