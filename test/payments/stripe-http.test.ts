import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, orders, payments, refunds, stripeEvents } from "../../drizzle/schema";
import { createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";
import { CARDS, cardBody, paymentRow, pendingOrder } from "./helpers";
import { callStripeApp, deliverWebhook, stripeClient, stripeEvent } from "./stripe-helpers";

const orderRow = async (id: number) => (await db().select().from(orders).where(eq(orders.id, id)))[0];
const payWithStripe = (token: string, orderId: number, body = cardBody()) =>
  callStripeApp("POST", `/api/payments/order/${orderId}/pay/`, { token, body });

/** An order with a `processing` Stripe payment whose PaymentIntent Stripe confirmed with `method`. */
async function processingStripePayment(method = "pm_card_visa") {
  const order = await pendingOrder();
  const id = crypto.randomUUID();
  await db().insert(payments).values({ id, orderId: order.id, userId: order.client.id, amountCents: 5000, paymentMethod: "card", gateway: "stripe", status: "processing" });
  const intent = await stripeClient()
    .paymentIntents.create({ amount: 5000, currency: "usd", payment_method: method, confirm: true, metadata: { payment_id: id } })
    .catch((error: { raw?: { payment_intent?: unknown } }) => error.raw?.payment_intent as never);
  return { order, paymentId: id, intent };
}

describe("paying and refunding with PAYMENT_GATEWAY=stripe", () => {
  it("charges through Stripe and marks the order paid", async () => {
    const order = await pendingOrder();
    const res = await payWithStripe(order.client.token, order.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "completed", gateway: "stripe", card_last4: "4242", gateway_transaction_id: expect.stringMatching(/^pi_/) });
    expect((await orderRow(order.id)).status).toBe("paid");
    const intent = await stripeClient().paymentIntents.retrieve(res.body.gateway_transaction_id!);
    expect(intent).toMatchObject({ status: "succeeded", amount: 5000, metadata: { payment_id: res.body.id } });
    expect((await paymentRow(res.body.id)).gatewayPaymentMethod).toMatch(/^pm_/);
  });

  it("records a Stripe decline and leaves the order pending", async () => {
    const order = await pendingOrder();
    const res = await payWithStripe(order.client.token, order.id, cardBody(CARDS.insufficientFunds));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "failed", gateway: "stripe", failure_code: "insufficient_funds" });
    expect((await orderRow(order.id)).status).toBe("pending");
  });

  it("lets an admin refund through the Refunds API, and answers 400 refund_failed when Stripe refuses", async () => {
    const admin = await createUser("admin");
    const order = await pendingOrder();
    const paid = (await payWithStripe(order.client.token, order.id)).body;
    const part = await callStripeApp("POST", `/api/payments/${paid.id}/refund/`, { token: admin.token, body: { amount: "10.00" } });
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({ status: "partially_refunded", refunded_amount: "10.00" });
    const [row] = await db().select().from(refunds).where(eq(refunds.paymentId, paid.id));
    expect(row.gatewayRefundId).toMatch(/^re_/);

    // Someone refunds the rest in Stripe's dashboard: Stripe now refuses ours.
    await stripeClient().refunds.create({ payment_intent: paid.gateway_transaction_id!, amount: 4000 });
    const before = await paymentRow(paid.id);
    const refused = await callStripeApp("POST", `/api/payments/${paid.id}/refund/`, { token: admin.token, body: {} });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("refund_failed");
    expect(await paymentRow(paid.id)).toEqual(before);
  });
});

describe("POST /api/payments/webhooks/stripe/", () => {
  it("completes a processing payment on payment_intent.succeeded, exactly once", async () => {
    const { order, paymentId, intent } = await processingStripePayment();
    const event = stripeEvent("payment_intent.succeeded", intent);
    const first = await deliverWebhook(event);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, duplicate: false });
    expect(await paymentRow(paymentId)).toMatchObject({ status: "completed", gatewayTransactionId: intent.id });
    expect((await orderRow(order.id)).status).toBe("paid");

    const again = await deliverWebhook(event);
    expect(again.body).toEqual({ received: true, duplicate: true });
    const inbox = await db().select().from(notifications).where(eq(notifications.paymentId, paymentId));
    expect(inbox).toHaveLength(1);
    expect(await db().select().from(stripeEvents).where(eq(stripeEvents.id, event.id))).toHaveLength(1);
  });

  it("applies concurrent duplicate deliveries once", async () => {
    const { paymentId, intent } = await processingStripePayment();
    const event = stripeEvent("payment_intent.succeeded", intent);
    const results = await Promise.all(Array.from({ length: 5 }, () => deliverWebhook(event)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => !r.body.duplicate)).toHaveLength(1);
    expect(await db().select().from(notifications).where(eq(notifications.paymentId, paymentId))).toHaveLength(1);
  });

  it("records a failure on payment_intent.payment_failed", async () => {
    const { order, paymentId, intent } = await processingStripePayment("pm_card_chargeDeclined");
    const res = await deliverWebhook(stripeEvent("payment_intent.payment_failed", intent));
    expect(res.status).toBe(200);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "failed", failureCode: "card_declined", retryable: false });
    expect((await orderRow(order.id)).status).toBe("pending");
  });

  it("ignores outcomes of payments that are already settled", async () => {
    const order = await pendingOrder();
    const paid = (await payWithStripe(order.client.token, order.id)).body;
    const intent = await stripeClient().paymentIntents.retrieve(paid.gateway_transaction_id!);
    const before = await paymentRow(paid.id);
    expect((await deliverWebhook(stripeEvent("payment_intent.payment_failed", intent))).status).toBe(200);
    expect(await paymentRow(paid.id)).toEqual(before);
  });

  it("refunds a charge that succeeded after its payment was recorded as failed", async () => {
    const order = await pendingOrder();
    const failed = (await payWithStripe(order.client.token, order.id, cardBody(CARDS.processingError))).body;
    expect((await paymentRow(failed.id)).retryable).toBe(true);
    const intent = await stripeClient().paymentIntents.confirm(failed.gateway_transaction_id!, { payment_method: "pm_card_visa" });
    expect((await deliverWebhook(stripeEvent("payment_intent.succeeded", intent))).status).toBe(200);
    expect(await paymentRow(failed.id)).toMatchObject({ status: "failed", retryable: false });
    const refundAgain = await stripeClient().refunds.create({ payment_intent: intent.id }).catch((e: { code?: string }) => e.code);
    expect(refundAgain).toBe("charge_already_refunded");
    expect((await orderRow(order.id)).status).toBe("pending");
  });

  it("undoes a refund that Stripe reports as failed later, once for both refund events", async () => {
    const admin = await createUser("admin");
    const order = await pendingOrder();
    const paid = (await payWithStripe(order.client.token, order.id, cardBody(CARDS.refundFails))).body;
    const refunded = await callStripeApp("POST", `/api/payments/${paid.id}/refund/`, { token: admin.token, body: {} });
    expect(refunded.body.status).toBe("refunded");
    expect((await orderRow(order.id)).status).toBe("canceled");
    const [row] = await db().select().from(refunds).where(eq(refunds.paymentId, paid.id));
    const failedRefund = { id: row.gatewayRefundId, object: "refund", amount: 5000, status: "failed", payment_intent: paid.gateway_transaction_id, metadata: { refund_id: row.id } };

    expect((await deliverWebhook(stripeEvent("charge.refund.updated", failedRefund))).status).toBe(200);
    expect((await deliverWebhook(stripeEvent("refund.updated", failedRefund))).status).toBe(200);
    expect(await paymentRow(paid.id)).toMatchObject({ status: "completed", refundedAmountCents: 0 });
    expect(await db().select().from(refunds).where(eq(refunds.paymentId, paid.id))).toEqual([]);
    expect(await orderRow(order.id)).toMatchObject({ status: "canceled", refundOwed: true });
  });

  it("rejects bad signatures with 400 and changes nothing", async () => {
    const { paymentId, intent } = await processingStripePayment();
    const event = stripeEvent("payment_intent.succeeded", intent);
    expect((await deliverWebhook(event, "whsec_someone_else")).status).toBe(400);
    const unsigned = await callStripeApp("POST", "/api/payments/webhooks/stripe/", { body: event });
    expect(unsigned.status).toBe(400);
    const forged = await callStripeApp("POST", "/api/payments/webhooks/stripe/", {
      body: JSON.stringify(event),
      headers: { "Stripe-Signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` },
    });
    expect(forged.status).toBe(400);
    expect((await paymentRow(paymentId)).status).toBe("processing");
    expect(await db().select().from(stripeEvents).where(eq(stripeEvents.id, event.id))).toEqual([]);
  });

  it("acknowledges event types it does not handle", async () => {
    const res = await deliverWebhook(stripeEvent("customer.created", { id: "cus_1", object: "customer" }));
    expect(res.status).toBe(200);
  });

  it("answers 503 when Stripe is not configured", async () => {
    const res = await call("POST", "/api/payments/webhooks/stripe/", { body: {}, headers: { "Stripe-Signature": "t=1,v1=00" } });
    expect(res.status).toBe(503);
  });
});
