import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { payoutAccounts } from "../../drizzle/schema";
import { createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";
import { completedOrder, enableAccount, makeDue, runReleaseJob, startedOrder } from "./helpers";

const ACCOUNT = "/api/workers/me/payout-account/";

describe("payout accounts (sandbox)", () => {
  it("POST creates a pending account with an onboarding link; the link enables it; GET shows it", async () => {
    const worker = await createUser("worker");
    expect((await call("GET", ACCOUNT, { token: worker.token })).status).toBe(404);
    const created = await call("POST", ACCOUNT, { token: worker.token });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: "pending", requirements: ["onboarding"], gateway: "sandbox" });
    expect(created.body.onboarding_url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/api\/payouts\/sandbox\/onboard\/acct_sandbox_[0-9a-f]{32}\/$/);
    expect((await call("GET", ACCOUNT, { token: worker.token })).body.status).toBe("pending");

    const onboarded = await call("GET", new URL(created.body.onboarding_url ?? "").pathname);
    expect(onboarded.status).toBe(200);
    expect(onboarded.body).toMatchObject({ status: "enabled", requirements: [] });
    expect((await call("GET", ACCOUNT, { token: worker.token })).body).toMatchObject({ status: "enabled", requirements: [] });
    const again = await call("POST", ACCOUNT, { token: worker.token });
    expect(again.body).toMatchObject({ status: "enabled", onboarding_url: null });
  });

  it("keeps one account per worker, even when created twice at once", async () => {
    const worker = await createUser("worker");
    const [a, b] = await Promise.all([call("POST", ACCOUNT, { token: worker.token }), call("POST", ACCOUNT, { token: worker.token })]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(await db().select().from(payoutAccounts).where(eq(payoutAccounts.userId, worker.id))).toHaveLength(1);
    expect(a.body.onboarding_url).toBe(b.body.onboarding_url);
  });

  it("401 without a token, 403 for clients and admins; an unknown or malformed onboarding link → 404 / 400", async () => {
    expect((await call("POST", ACCOUNT)).status).toBe(401);
    expect((await call("GET", ACCOUNT)).status).toBe(401);
    expect((await call("POST", ACCOUNT, { token: (await createUser("client")).token })).status).toBe(403);
    expect((await call("GET", ACCOUNT, { token: (await createUser("admin")).token })).status).toBe(403);
    expect((await call("GET", `/api/payouts/sandbox/onboard/acct_sandbox_${"0".repeat(32)}/`)).status).toBe(404);
    expect((await call("GET", "/api/payouts/sandbox/onboard/acct_live_123/")).status).toBe(400);
  });

  it("shows no account id or contact data", async () => {
    const worker = await createUser("worker", { email: "w@example.com" });
    const created = await call("POST", ACCOUNT, { token: worker.token });
    expect(Object.keys(created.body).sort()).toEqual(["created_at", "gateway", "onboarding_url", "requirements", "status", "updated_at"]);
  });
});

describe("GET /api/workers/me/earnings/ and GET /api/payouts/", () => {
  it("splits a worker's money into held, available and paid out", async () => {
    const held = await startedOrder();
    const worker = held.worker;
    const { createOrder, createService } = await import("../helpers/factories");
    const { pay } = await import("../payments/helpers");
    // A second order of the same worker, completed and released; a third due while the account is missing.
    const second = await createOrder({ client: held.client, service: await createService({ worker, priceCents: 10000 }) });
    await pay(held.client.token, second.id);
    await call("POST", `/api/orders/${second.id}/assign/`, { token: worker.token, body: {} });
    await call("POST", `/api/orders/${second.id}/status/`, { token: worker.token, body: { status: "completed" } });
    await makeDue(second.id);
    await runReleaseJob();
    let earnings = await call("GET", "/api/workers/me/earnings/", { token: worker.token });
    expect(earnings.body).toEqual({ held: "45.00", available: "90.00", paid_out: "0.00", currency: "USD" });

    await enableAccount(worker);
    earnings = await call("GET", "/api/workers/me/earnings/", { token: worker.token });
    expect(earnings.body).toEqual({ held: "45.00", available: "0.00", paid_out: "90.00", currency: "USD" });

    const payouts = await call("GET", "/api/payouts/", { token: worker.token });
    expect(payouts.body.count).toBe(1);
    expect(payouts.body.results[0]).toMatchObject({ order_id: second.id, worker_id: worker.id, status: "released", amount: "100.00", platform_fee: "10.00", worker_amount: "90.00" });
    expect(payouts.body.results[0].transfer_id).toMatch(/^tr_sandbox_/);
  });

  it("a worker sees only its own payouts, an admin all, a client none (403)", async () => {
    const mine = await completedOrder({ account: true });
    const theirs = await completedOrder({ account: true });
    for (const order of [mine, theirs]) await call("POST", `/api/orders/${order.id}/confirm/`, { token: order.client.token });
    const own = await call("GET", "/api/payouts/", { token: mine.worker.token });
    expect(own.body.results.map((p: { order_id: number }) => p.order_id)).toEqual([mine.id]);
    const admin = await call("GET", "/api/payouts/?page_size=100&status=released", { token: (await createUser("admin")).token });
    expect(admin.body.results.map((p: { order_id: number }) => p.order_id)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect((await call("GET", "/api/payouts/", { token: mine.client.token })).status).toBe(403);
    expect((await call("GET", "/api/payouts/")).status).toBe(401);
    expect((await call("GET", "/api/payouts/?status=held", { token: mine.worker.token })).status).toBe(400);
    expect((await call("GET", "/api/payouts/?page=9", { token: mine.worker.token })).status).toBe(404);
  });

  it("earnings: 401 without a token, 403 for clients", async () => {
    expect((await call("GET", "/api/workers/me/earnings/")).status).toBe(401);
    expect((await call("GET", "/api/workers/me/earnings/", { token: (await createUser("client")).token })).status).toBe(403);
    const fresh = await call("GET", "/api/workers/me/earnings/", { token: (await createUser("worker")).token });
    expect(fresh.body).toEqual({ held: "0.00", available: "0.00", paid_out: "0.00", currency: "USD" });
  });
});
