import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, orderStatusHistory, orders, refunds } from "../../drizzle/schema";
import { SandboxGateway } from "../../src/modules/payments/gateways/sandbox-gateway";
import { refundOwedOrder } from "../../src/modules/payments/refunds.service";
import { createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";
import { CARDS, cardBody, gatewaysOf, pay, paymentRow, pendingOrder, testDeps } from "./helpers";

const orderRow = async (id: number) => (await db().select().from(orders).where(eq(orders.id, id)))[0];
const refundsOf = (paymentId: string) => db().select().from(refunds).where(eq(refunds.paymentId, paymentId));
const refund = (token: string, paymentId: string, body: unknown = {}) => call("POST", `/api/payments/${paymentId}/refund/`, { token, body });

/** A completed 50.00 payment of a fresh client. */
async function paidOrder(card: string = CARDS.success) {
  const order = await pendingOrder();
  const res = await pay(order.client.token, order.id, cardBody(card));
  expect(res.body.status).toBe("completed");
  return { order, payment: res.body as { id: string } };
}

describe("POST /api/payments/{id}/refund/", () => {
  it("refunds everything by default, cancels the paid order and notifies the client", async () => {
    const admin = await createUser("admin");
    const { order, payment } = await paidOrder();
    const res = await refund(admin.token, payment.id, { reason: "Customer asked" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: payment.id, status: "refunded", refunded_amount: "50.00", amount: "50.00" });
    const [row] = await refundsOf(payment.id);
    expect(row).toMatchObject({ amountCents: 5000, reason: "Customer asked", createdById: admin.id });
    expect(row.gatewayRefundId).toMatch(/^re_sandbox_/);
    expect((await orderRow(order.id)).status).toBe("canceled");
    const history = await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, order.id));
    expect(history.at(-1)).toMatchObject({ status: "canceled", createdById: admin.id });
    const inbox = await db().select().from(notifications).where(eq(notifications.paymentId, payment.id));
    expect(inbox.map((n) => n.notificationType)).toContain("payment_refunded");
  });

  it("refunds in parts, each a row of its own, up to what is left", async () => {
    const admin = await createUser("admin");
    const { order, payment } = await paidOrder();
    const first = await refund(admin.token, payment.id, { amount: "20.50" });
    expect(first.body).toMatchObject({ status: "partially_refunded", refunded_amount: "20.50" });
    expect((await orderRow(order.id)).status).toBe("paid");

    const tooMuch = await refund(admin.token, payment.id, { amount: 29.51 });
    expect(tooMuch.status).toBe(400);
    expect(Object.keys(tooMuch.body)).toEqual(["amount"]);

    const rest = await refund(admin.token, payment.id);
    expect(rest.body).toMatchObject({ status: "refunded", refunded_amount: "50.00" });
    expect((await refundsOf(payment.id)).map((r) => r.amountCents).sort()).toEqual([2050, 2950]);
    expect((await orderRow(order.id)).status).toBe("canceled");

    const again = await refund(admin.token, payment.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("conflict");
  });

  it("does not cancel a completed order on a full refund", async () => {
    const admin = await createUser("admin");
    const { order, payment } = await paidOrder();
    await db().update(orders).set({ status: "completed" }).where(eq(orders.id, order.id));
    expect((await refund(admin.token, payment.id)).body.status).toBe("refunded");
    expect((await orderRow(order.id)).status).toBe("completed");
  });

  it("answers 400 refund_failed when the gateway refuses, with nothing changed", async () => {
    const admin = await createUser("admin");
    const { order, payment } = await paidOrder(CARDS.refundFails);
    const before = await paymentRow(payment.id);
    const res = await refund(admin.token, payment.id, { amount: "10" });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("refund_failed");
    expect(await paymentRow(payment.id)).toEqual(before);
    expect(await refundsOf(payment.id)).toEqual([]);
    expect((await orderRow(order.id)).status).toBe("paid");
  });

  it("refuses payments that are not completed or partially refunded (409)", async () => {
    const admin = await createUser("admin");
    const order = await pendingOrder();
    const failed = await pay(order.client.token, order.id, cardBody(CARDS.declined));
    const res = await refund(admin.token, failed.body.id);
    expect(res.status).toBe(409);
  });

  it.each([
    [{ amount: "0" }, "amount"],
    [{ amount: "-5" }, "amount"],
    [{ amount: "1.234" }, "amount"],
    [{ reason: "x".repeat(256) }, "reason"],
  ])("rejects %j with a field error", async (body, field) => {
    const admin = await createUser("admin");
    const { payment } = await paidOrder();
    const res = await refund(admin.token, payment.id, body);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual([field]);
    expect((await paymentRow(payment.id)).refundedAmountCents).toBe(0);
  });

  it("never over-refunds under concurrency", async () => {
    const admin = await createUser("admin");
    const { payment } = await paidOrder();
    const results = await Promise.all(Array.from({ length: 6 }, () => refund(admin.token, payment.id, { amount: "20" })));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(2);
    for (const r of results.filter((r) => r.status !== 200)) expect([400, 409]).toContain(r.status);
    expect((await paymentRow(payment.id)).refundedAmountCents).toBe(4000);
    expect(await refundsOf(payment.id)).toHaveLength(2);
  });

  describe("security", () => {
    it("is admin only: no token 401, client and worker 403 whatever the body", async () => {
      const { order, payment } = await paidOrder();
      const worker = await createUser("worker");
      expect((await call("POST", `/api/payments/${payment.id}/refund/`, { body: {} })).status).toBe(401);
      expect((await refund(order.client.token, payment.id)).status).toBe(403);
      expect((await refund(worker.token, payment.id, { amount: "nonsense" })).status).toBe(403);
      expect((await paymentRow(payment.id)).status).toBe("completed");
    });

    it("answers 404 for unknown payments and 400 for ids that are not UUIDs", async () => {
      const admin = await createUser("admin");
      expect((await refund(admin.token, crypto.randomUUID())).status).toBe(404);
      expect((await refund(admin.token, "123")).status).toBe(400);
    });
  });
});

describe("refundOwedOrder", () => {
  it("refunds what is left on a canceled order's payment once, and clears refund_owed", async () => {
    const admin = await createUser("admin");
    const { order, payment } = await paidOrder();
    await refund(admin.token, payment.id, { amount: "15" });
    await db().update(orders).set({ status: "canceled", refundOwed: true }).where(eq(orders.id, order.id));
    const deps = testDeps(gatewaysOf(new SandboxGateway()));

    const outcome = await refundOwedOrder(deps, order.id, admin.id);
    expect(outcome.status).toBe("refunded");
    expect(await paymentRow(payment.id)).toMatchObject({ status: "refunded", refundedAmountCents: 5000 });
    expect((await orderRow(order.id)).refundOwed).toBe(false);
    expect(await refundOwedOrder(deps, order.id, admin.id)).toEqual({ status: "nothing_owed" });
    expect(await refundsOf(payment.id)).toHaveLength(2);
    await deps.settled();
  });

  it("keeps the refund owed when the gateway refuses, without throwing", async () => {
    const { order, payment } = await paidOrder(CARDS.refundFails);
    await db().update(orders).set({ status: "canceled", refundOwed: true }).where(eq(orders.id, order.id));
    const outcome = await refundOwedOrder(testDeps(gatewaysOf(new SandboxGateway())), order.id, null);
    expect(outcome.status).toBe("failed");
    expect((await orderRow(order.id)).refundOwed).toBe(true);
    expect((await paymentRow(payment.id)).status).toBe("completed");
  });

  it("clears the flag of an order that has no money to give back", async () => {
    const order = await pendingOrder();
    await db().update(orders).set({ status: "canceled", refundOwed: true }).where(eq(orders.id, order.id));
    expect(await refundOwedOrder(testDeps(gatewaysOf(new SandboxGateway())), order.id, null)).toEqual({ status: "nothing_owed" });
    expect((await orderRow(order.id)).refundOwed).toBe(false);
  });
});
