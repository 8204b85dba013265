import { describe, expect, it } from "vitest";
import { failedJobs } from "../../drizzle/schema";
import { buildDailyReport } from "../../src/modules/reports/daily-report";
import { call } from "../helpers/http";
import { createUser, db } from "../helpers/factories";

describe("POST /api/admin/jobs/{name}/run/", () => {
  it("queues a known job for admins with 202", async () => {
    const admin = await createUser("admin");
    const res = await call("POST", "/api/admin/jobs/daily-report/run/", { token: admin.token });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ job: "daily-report", status: "queued" });
  });

  it("rejects unknown jobs with 400 and non-admins with 401/403", async () => {
    const admin = await createUser("admin");
    expect((await call("POST", "/api/admin/jobs/rm-rf/run/", { token: admin.token })).status).toBe(400);
    expect((await call("POST", "/api/admin/jobs/daily-report/run/")).status).toBe(401);
    for (const role of ["client", "worker"] as const) {
      const user = await createUser(role);
      expect((await call("POST", "/api/admin/jobs/daily-report/run/", { token: user.token })).status).toBe(403);
    }
  });
});

describe("GET /api/admin/jobs/failed/", () => {
  it("lists dead-lettered messages for admins only", async () => {
    await db().insert(failedJobs).values({ messageId: crypto.randomUUID(), jobType: "job.run", payload: "{}", error: "boom", attempts: 5 });
    const admin = await createUser("admin");
    const res = await call("GET", "/api/admin/jobs/failed/", { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ job_type: "job.run", error: "boom", attempts: 5 });
    const client = await createUser();
    expect((await call("GET", "/api/admin/jobs/failed/", { token: client.token })).status).toBe(403);
  });
});

describe("GET /api/reports/payments/", () => {
  it("serves stored reports newest first, filtered by date, admins only", async () => {
    await buildDailyReport(db(), "2026-01-01");
    await buildDailyReport(db(), "2026-01-02");
    const admin = await createUser("admin");
    const res = await call("GET", "/api/reports/payments/", { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { report_date: string }) => r.report_date).slice(0, 2)).toEqual(["2026-01-02", "2026-01-01"]);
    expect(res.body.results[0]).toMatchObject({ payments_count: 0, gross_amount: "0.00", net_amount: "0.00" });
    const one = await call("GET", "/api/reports/payments/?date=2026-01-01", { token: admin.token });
    expect(one.body.count).toBe(1);
    expect((await call("GET", "/api/reports/payments/?date=01-01-2026", { token: admin.token })).status).toBe(400);
    const worker = await createUser("worker");
    expect((await call("GET", "/api/reports/payments/", { token: worker.token })).status).toBe(403);
  });
});
