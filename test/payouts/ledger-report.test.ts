import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { escrows, ledgerEntries, orders, refunds } from "../../drizzle/schema";
import { cleanupOrders } from "../../src/modules/orders/order-cleanup";
import { buildDailyReport } from "../../src/modules/reports/daily-report";
import { createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";
import { CARDS, cardBody } from "../payments/helpers";
import { callStripeApp, deliverWebhook, stripeEvent } from "../payments/stripe-helpers";
import { completedOrder, escrowRow, expectLedgerBalanced, ledgerOf, startedOrder } from "./helpers";

describe("ledger: what the daily report and other modules' paths write", () => {
  it("the daily report adds the fees earned and the money transferred that day, from the ledger", async () => {
    const day = "2026-02-14";
    const at = new Date(`${day}T10:00:00Z`);
    const order = await startedOrder();
    await db().insert(ledgerEntries).values([
      { orderId: order.id, paymentId: order.paymentId, kind: "fee", amountCents: -500, reference: "t", createdAt: at },
      { orderId: order.id, paymentId: order.paymentId, kind: "transfer", amountCents: -4500, reference: "t", createdAt: at },
      { orderId: order.id, paymentId: order.paymentId, kind: "reversal", amountCents: 900, reference: "t", createdAt: at },
      { orderId: order.id, paymentId: order.paymentId, kind: "fee", amountCents: 100, reference: "t", createdAt: at },
      { orderId: order.id, paymentId: order.paymentId, kind: "fee", amountCents: -700, reference: "t", createdAt: new Date(`2026-02-15T00:00:00Z`) },
    ]);
    const data = await buildDailyReport(db(), day);
    expect(data).toMatchObject({ fees_earned_cents: 400, transferred_cents: 3600 });
    const admin = await createUser("admin");
    const res = await call("GET", `/api/reports/payments/?date=${day}`, { token: admin.token });
    expect(res.body.results[0]).toMatchObject({ platform_fees: "4.00", transferred_to_workers: "36.00" });
  });

  it("a day without movements reports zero fees", async () => {
    expect(await buildDailyReport(db(), "2001-01-01")).toMatchObject({ fees_earned_cents: 0, transferred_cents: 0 });
  });

  it("a refund Stripe fails later is undone in the ledger too, and the escrow holds the money again", async () => {
    const worker = await createUser("worker");
    const client = await createUser("client");
    const { createOrder, createService } = await import("../helpers/factories");
    const order = await createOrder({ client, service: await createService({ worker }) });
    const paid = (await callStripeApp("POST", `/api/payments/order/${order.id}/pay/`, { token: client.token, body: cardBody(CARDS.refundFails) })).body;
    await call("POST", `/api/orders/${order.id}/assign/`, { token: worker.token, body: {} });
    const admin = await createUser("admin");
    await callStripeApp("POST", `/api/payments/${paid.id}/refund/`, { token: admin.token, body: { amount: "10.00" } });
    expect(await escrowRow(order.id)).toMatchObject({ amountCents: 4000, workerAmountCents: 3600 });
    const [row] = await db().select().from(refunds).where(eq(refunds.paymentId, paid.id));
    const failed = { id: row.gatewayRefundId, object: "refund", amount: 1000, status: "failed", payment_intent: paid.gateway_transaction_id, metadata: { refund_id: row.id } };
    expect((await deliverWebhook(stripeEvent("refund.updated", failed))).status).toBe(200);
    expect(await escrowRow(order.id)).toMatchObject({ status: "held", amountCents: 5000, platformFeeCents: 500, workerAmountCents: 4500, refundedCents: 0 });
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.map((e) => [e.kind, e.amountCents])).toEqual([
      ["charge", 5000],
      ["refund", -1000],
      ["refund", 1000],
    ]);
  });

  it("deleting an old order (order-cleanup) keeps its ledger rows and writes none", async () => {
    const order = await completedOrder({ account: true });
    await call("POST", `/api/orders/${order.id}/confirm/`, { token: order.client.token });
    const before = await ledgerOf(order.id);
    expect(before).toHaveLength(3);
    await db().update(orders).set({ updatedAt: new Date(Date.now() - 400 * 86_400_000) }).where(eq(orders.id, order.id));
    await cleanupOrders(db(), new Date(), 365);
    expect(await db().select().from(orders).where(eq(orders.id, order.id))).toHaveLength(0);
    expect(await db().select().from(escrows).where(eq(escrows.orderId, order.id))).toHaveLength(0);
    expect(await ledgerOf(order.id)).toEqual(before);
  });

  it("a charge whose order was canceled meanwhile is refunded at once: charge and refund net to zero, no escrow", async () => {
    const { createOrder } = await import("../helpers/factories");
    const client = await createUser("client");
    const order = await createOrder({ client });
    const { settleCharge } = await import("../../src/modules/payments/payment-settlement");
    const { testContext } = await import("../helpers/context");
    const { payments } = await import("../../drizzle/schema");
    const id = crypto.randomUUID();
    const [payment] = await db().insert(payments).values({ id, orderId: order.id, userId: client.id, amountCents: 5000, paymentMethod: "card", gateway: "sandbox", status: "processing" }).returning();
    await db().update(orders).set({ status: "canceled" }).where(eq(orders.id, order.id));
    const ctx = testContext();
    await settleCharge(ctx, payment, { ok: true, transactionId: `ch_sandbox_${id}`, reference: null });
    await ctx.settled();
    expect(await escrowRow(order.id)).toBeUndefined();
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.map((e) => [e.kind, e.amountCents])).toEqual([
      ["charge", 5000],
      ["refund", -5000],
    ]);
  });
});
