import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { escrows, notifications } from "../../drizzle/schema";
import { escalateDisputes } from "../../src/modules/payouts/disputes.service";
import { testContext } from "../helpers/context";
import { createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";
import { CARDS, cardBody, pay } from "../payments/helpers";
import { completedOrder, enableAccount, escrowRow, expectLedgerBalanced, makeDue, runReleaseJob, startedOrder } from "./helpers";

const dispute = (orderId: number, token: string | undefined, body: unknown = { reason: "The sink still leaks." }) =>
  call("POST", `/api/orders/${orderId}/dispute/`, { token, body });
const resolve = (orderId: number, token: string | undefined, body: unknown) => call("POST", `/api/orders/${orderId}/dispute/resolve/`, { token, body });

const told = async (orderId: number, notificationType: string) =>
  (await db().select().from(notifications).where(and(eq(notifications.orderId, orderId), eq(notifications.notificationType, notificationType)))).map((n) => n.userId).sort((a, b) => a - b);

describe("POST /api/orders/{id}/dispute/", () => {
  it("pauses the release, shows the dispute to the parties and tells both parties and every admin", async () => {
    const admin = await createUser("admin");
    const order = await completedOrder({ account: true });
    const res = await dispute(order.id, order.client.token);
    expect(res.status).toBe(201);
    expect(res.body.escrow).toMatchObject({ status: "disputed", dispute: { reason: "The sink still leaks.", resolution: null, resolved_at: null } });
    const notified = await told(order.id, "dispute_opened");
    expect(notified).toEqual(expect.arrayContaining([order.client.id, order.worker.id, admin.id]));
    await makeDue(order.id);
    await runReleaseJob();
    expect((await escrowRow(order.id)).status).toBe("disputed");
    const seenByWorker = await call("GET", `/api/orders/${order.id}/`, { token: order.worker.token });
    expect(seenByWorker.body.escrow?.dispute?.reason).toBe("The sink still leaks.");
    await expectLedgerBalanced(order.id);
  });

  it("may be opened while the work is in progress", async () => {
    const order = await startedOrder();
    expect((await dispute(order.id, order.client.token)).status).toBe(201);
  });

  it("409 once the window has passed, after the release, twice, or before any payment", async () => {
    const late = await completedOrder({ account: true });
    await makeDue(late.id);
    expect((await dispute(late.id, late.client.token)).body.code).toBe("conflict");
    await runReleaseJob();
    expect((await dispute(late.id, late.client.token)).status).toBe(409);

    const twice = await completedOrder();
    expect((await dispute(twice.id, twice.client.token)).status).toBe(201);
    expect((await dispute(twice.id, twice.client.token)).status).toBe(409);

    const { createOrder } = await import("../helpers/factories");
    const client = await createUser("client");
    const unpaid = await createOrder({ client });
    expect((await dispute(unpaid.id, client.token)).status).toBe(409);
  });

  it("400 for a missing, blank or unknown field", async () => {
    const order = await completedOrder();
    expect((await dispute(order.id, order.client.token, {})).body).toHaveProperty("reason");
    expect((await dispute(order.id, order.client.token, { reason: "  " })).body.reason).toEqual(["This field may not be blank."]);
    const extra = await dispute(order.id, order.client.token, { reason: "x", status: "released" });
    expect(extra.status).toBe(400);
    expect((await escrowRow(order.id)).status).toBe("held");
  });

  it("401 without a token, 403 for workers and admins, 404 for another client", async () => {
    const order = await completedOrder();
    expect((await dispute(order.id, undefined)).status).toBe(401);
    expect((await dispute(order.id, order.worker.token)).status).toBe(403);
    expect((await dispute(order.id, (await createUser("admin")).token)).status).toBe(403);
    expect((await dispute(order.id, (await createUser("client")).token)).status).toBe(404);
    expect((await escrowRow(order.id)).status).toBe("held");
  });

  it("a dispute racing a confirm: exactly one of them wins", async () => {
    const order = await completedOrder({ account: true });
    const [disputed, confirmed] = await Promise.all([
      dispute(order.id, order.client.token),
      call("POST", `/api/orders/${order.id}/confirm/`, { token: order.client.token }),
    ]);
    expect([disputed.status, confirmed.status].sort()).toEqual(disputed.status === 201 ? [201, 409] : [200, 409]);
    expect(["disputed", "released"]).toContain((await escrowRow(order.id)).status);
    await expectLedgerBalanced(order.id);
  });

  it("escalates a dispute left open DISPUTE_ESCALATION_HOURS (48): the admins are told again, once", async () => {
    const admin = await createUser("admin");
    const order = await completedOrder();
    await dispute(order.id, order.client.token);
    const ctx = testContext();
    await escalateDisputes(ctx, new Date(Date.now() + 47 * 3_600_000), 48);
    expect((await escrowRow(order.id)).disputeEscalatedAt).toBeNull();
    await escalateDisputes(ctx, new Date(Date.now() + 49 * 3_600_000), 48);
    await escalateDisputes(ctx, new Date(Date.now() + 50 * 3_600_000), 48);
    const escalated = await told(order.id, "dispute_escalated");
    expect(escalated).toContain(admin.id);
    expect(escalated.filter((id) => id === admin.id)).toHaveLength(1);
    expect(escalated).not.toContain(order.client.id);
    const res = await call("GET", `/api/orders/${order.id}/`, { token: admin.token });
    expect(res.body.escrow?.dispute?.escalated_at).not.toBeNull();
  });
});

describe("POST /api/orders/{id}/dispute/resolve/", () => {
  async function disputedOrder(options: { account?: boolean } = { account: true }) {
    const order = await completedOrder(options);
    expect((await dispute(order.id, order.client.token)).status).toBe(201);
    return { ...order, admin: await createUser("admin") };
  }

  it("release: the worker is paid now, the parties are told", async () => {
    const order = await disputedOrder();
    const res = await resolve(order.id, order.admin.token, { resolution: "release" });
    expect(res.status).toBe(200);
    expect(res.body.escrow).toMatchObject({ status: "released", worker_amount: "45.00", dispute: { resolution: "release" } });
    expect(await told(order.id, "dispute_resolved")).toEqual([order.client.id, order.worker.id].sort((a, b) => a - b));
    await expectLedgerBalanced(order.id);
  });

  it("refund of an amount: the client gets it back, the rest goes to the worker with the fee recomputed on what was kept", async () => {
    const order = await disputedOrder();
    const res = await resolve(order.id, order.admin.token, { resolution: "refund", amount: "20.00", reason: "half done" });
    expect(res.status).toBe(200);
    expect(res.body.escrow).toMatchObject({ status: "released", amount: "30.00", platform_fee: "3.00", worker_amount: "27.00", refunded: "20.00" });
    expect(res.body.escrow?.dispute).toMatchObject({ resolution: "refund", refund_amount: "20.00" });
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.map((e) => [e.kind, e.amountCents])).toEqual([
      ["charge", 5000],
      ["refund", -2000],
      ["fee", -300],
      ["transfer", -2700],
    ]);
  });

  it("full refund: everything goes back to the client, nothing to the worker", async () => {
    const order = await disputedOrder();
    const res = await resolve(order.id, order.admin.token, { resolution: "refund" });
    expect(res.body.escrow).toMatchObject({ status: "refunded", amount: "0.00", refunded: "50.00" });
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.map((e) => e.kind)).toEqual(["charge", "refund"]);
    expect(res.body.status).toBe("completed");
  });

  /** What a resolve request leaves when it dies right after claiming the resolution (two minutes ago). */
  const diedAfterClaim = (orderId: number, resolution: "release" | "refund", refundCents: number | null) =>
    db()
      .update(escrows)
      .set({ disputeResolution: resolution, disputeRefundCents: refundCents, disputeResolvedAt: new Date(Date.now() - 120_000) })
      .where(eq(escrows.orderId, orderId));

  it("a release resolution whose request died after its claim is finished by the job", async () => {
    const order = await disputedOrder();
    await diedAfterClaim(order.id, "release", null);
    await escalateDisputes(testContext(), new Date(), 48);
    expect(await escrowRow(order.id)).toMatchObject({ status: "held", disputeResolution: "release" });
    await runReleaseJob();
    expect(await escrowRow(order.id)).toMatchObject({ status: "released", workerAmountCents: 4500 });
    expect(await told(order.id, "dispute_resolved")).toEqual([order.client.id, order.worker.id].sort((a, b) => a - b));
    await expectLedgerBalanced(order.id);
  });

  it("a refund resolution whose request died before its refund was reserved reopens the dispute: nothing goes to the worker", async () => {
    const order = await disputedOrder();
    await diedAfterClaim(order.id, "refund", 5000);
    await escalateDisputes(testContext(), new Date(), 48);
    await runReleaseJob();
    expect(await escrowRow(order.id)).toMatchObject({ status: "disputed", disputeResolution: null, amountCents: 5000, transferId: null });
    const again = await resolve(order.id, order.admin.token, { resolution: "refund" });
    expect(again.status).toBe(200);
    expect(again.body.escrow).toMatchObject({ status: "refunded", refunded: "50.00" });
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.map((e) => e.kind)).toEqual(["charge", "refund"]);
  });

  it("release to a worker without an enabled account waits for it", async () => {
    const order = await disputedOrder({ account: false });
    const res = await resolve(order.id, order.admin.token, { resolution: "release" });
    expect(res.body.escrow?.status).toBe("awaiting_account");
    await enableAccount(order.worker);
    expect((await escrowRow(order.id)).status).toBe("released");
    await expectLedgerBalanced(order.id);
  });

  it("a refund the gateway refuses leaves the dispute open (400 refund_failed)", async () => {
    const worker = await createUser("worker");
    const client = await createUser("client");
    const { createOrder, createService } = await import("../helpers/factories");
    const order = await createOrder({ client, service: await createService({ worker }) });
    await pay(client.token, order.id, cardBody(CARDS.refundFails));
    await call("POST", `/api/orders/${order.id}/assign/`, { token: worker.token, body: {} });
    await dispute(order.id, client.token);
    const admin = await createUser("admin");
    const res = await resolve(order.id, admin.token, { resolution: "refund" });
    expect(res.body.code).toBe("refund_failed");
    expect(await escrowRow(order.id)).toMatchObject({ status: "disputed", disputeResolution: null });
    expect((await resolve(order.id, admin.token, { resolution: "release" })).status).toBe(200);
  });

  it("400 for a bad resolution, an amount with release, or more than is held; 409 without an open dispute", async () => {
    const order = await disputedOrder();
    expect((await resolve(order.id, order.admin.token, { resolution: "split" })).body).toHaveProperty("resolution");
    expect((await resolve(order.id, order.admin.token, { resolution: "release", amount: "1.00" })).body).toHaveProperty("amount");
    expect((await resolve(order.id, order.admin.token, { resolution: "refund", amount: "50.01" })).body).toHaveProperty("amount");
    expect((await resolve(order.id, order.admin.token, { resolution: "refund", amount: "-1" })).status).toBe(400);
    expect((await escrowRow(order.id)).status).toBe("disputed");
    expect((await resolve(order.id, order.admin.token, { resolution: "release" })).status).toBe(200);
    expect((await resolve(order.id, order.admin.token, { resolution: "release" })).body.code).toBe("conflict");
    const undisputed = await completedOrder();
    expect((await resolve(undisputed.id, order.admin.token, { resolution: "release" })).status).toBe(409);
  });

  it("401 without a token, 403 for the parties; two admins at once: one resolution", async () => {
    const order = await disputedOrder();
    expect((await resolve(order.id, undefined, { resolution: "release" })).status).toBe(401);
    expect((await resolve(order.id, order.client.token, { resolution: "refund" })).status).toBe(403);
    expect((await resolve(order.id, order.worker.token, { resolution: "release" })).status).toBe(403);
    const other = await createUser("admin");
    const results = await Promise.all([
      resolve(order.id, order.admin.token, { resolution: "release" }),
      resolve(order.id, other.token, { resolution: "refund" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const [row] = await db().select().from(escrows).where(eq(escrows.orderId, order.id));
    expect(["released", "refunded"]).toContain(row.status);
    await expectLedgerBalanced(order.id);
  });
});
