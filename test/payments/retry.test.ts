import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { orders, payments } from "../../drizzle/schema";
import { SandboxGateway } from "../../src/modules/payments/gateways/sandbox-gateway";
import { MAX_CHARGE_ATTEMPTS, retryDelayMs } from "../../src/modules/payments/payment-settlement";
import { STUCK_AFTER_MS, retryDuePayments } from "../../src/modules/payments/payment-retry";
import { db } from "../helpers/factories";
import { failNextStripeRequest, stripeGateway } from "./stripe-helpers";
import { CARDS, cardBody, gatewaysOf, pay, paymentRow, paymentsOfOrder, pendingOrder, testDeps } from "./helpers";

const deps = () => testDeps(gatewaysOf(new SandboxGateway()));
const HOUR = 3_600_000;

/** A payment that failed with the retryable processing_error, and its order. */
async function retryableFailure() {
  const order = await pendingOrder();
  const res = await pay(order.client.token, order.id, cardBody(CARDS.processingError));
  const row = await paymentRow(res.body.id);
  expect(row).toMatchObject({ status: "failed", retryable: true, attempts: 1 });
  return { order, payment: row };
}

describe("retryDuePayments", () => {
  it("schedules the first retry 30 minutes out and doubles the wait each time", () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([0.5 * HOUR, HOUR, 2 * HOUR, 4 * HOUR]);
  });

  it("leaves payments that are not due yet alone", async () => {
    const { payment } = await retryableFailure();
    const counts = await retryDuePayments(deps(), new Date(payment.nextRetryAt!.getTime() - 1));
    expect(await paymentRow(payment.id)).toEqual(payment);
    expect(counts.completed + counts.failed).toBe(0);
  });

  it("retries with backoff using the stored reference and gives up after 5 attempts", async () => {
    const { order, payment } = await retryableFailure();
    let now = payment.nextRetryAt!;
    for (let attempt = 2; attempt <= MAX_CHARGE_ATTEMPTS; attempt++) {
      await retryDuePayments(deps(), now);
      const row = await paymentRow(payment.id);
      expect(row.attempts).toBe(attempt);
      expect(row.status).toBe("failed");
      if (attempt < MAX_CHARGE_ATTEMPTS) {
        expect(row.retryable).toBe(true);
        expect(row.nextRetryAt!.getTime() - now.getTime()).toBeGreaterThanOrEqual(retryDelayMs(attempt) - 5000);
        now = row.nextRetryAt!;
      } else {
        expect(row).toMatchObject({ retryable: false, nextRetryAt: null });
      }
    }
    await retryDuePayments(deps(), new Date(now.getTime() + 100 * HOUR));
    expect((await paymentRow(payment.id)).attempts).toBe(MAX_CHARGE_ATTEMPTS);
    expect(await paymentsOfOrder(order.id)).toHaveLength(1);
  });

  it("completes the payment and the order when a retry succeeds", async () => {
    const { order, payment } = await retryableFailure();
    // The transient cause went away: the same reference now charges (as a recovered processor would).
    await db().update(payments).set({ gatewayPaymentMethod: "tok_sandbox_success" }).where(eq(payments.id, payment.id));
    const counts = await retryDuePayments(deps(), payment.nextRetryAt!);
    expect(counts.completed).toBeGreaterThanOrEqual(1);
    expect(await paymentRow(payment.id)).toMatchObject({ status: "completed", attempts: 2, retryable: false });
    expect((await db().select().from(orders).where(eq(orders.id, order.id)))[0].status).toBe("paid");
  });

  it("does not retry when the order is no longer pending, or another payment succeeded", async () => {
    const canceled = await retryableFailure();
    await db().update(orders).set({ status: "canceled" }).where(eq(orders.id, canceled.order.id));
    const paidElsewhere = await retryableFailure();
    expect((await pay(paidElsewhere.order.client.token, paidElsewhere.order.id)).body.status).toBe("completed");

    await retryDuePayments(deps(), new Date(Date.now() + HOUR));
    for (const { payment } of [canceled, paidElsewhere]) {
      expect(await paymentRow(payment.id)).toMatchObject({ status: "failed", attempts: 1, retryable: false });
    }
    expect((await paymentsOfOrder(paidElsewhere.order.id)).filter((p) => p.status === "completed")).toHaveLength(1);
  });

  it("charges at most once when two job runs retry the same payment concurrently", async () => {
    const { order, payment } = await retryableFailure();
    await db().update(payments).set({ gatewayPaymentMethod: "tok_sandbox_success" }).where(eq(payments.id, payment.id));
    await Promise.all([retryDuePayments(deps(), payment.nextRetryAt!), retryDuePayments(deps(), payment.nextRetryAt!)]);
    expect(await paymentRow(payment.id)).toMatchObject({ status: "completed", attempts: 2 });
    expect(await paymentsOfOrder(order.id)).toHaveLength(1);
  });

  it("also settles refunds owed on canceled orders", async () => {
    const order = await pendingOrder();
    const paid = await pay(order.client.token, order.id);
    await db().update(orders).set({ status: "canceled", refundOwed: true }).where(eq(orders.id, order.id));
    const counts = await retryDuePayments(deps(), new Date());
    expect(counts.refunds).toBeGreaterThanOrEqual(1);
    expect((await paymentRow(paid.body.id)).status).toBe("refunded");
  });
});

/** A payment row left `processing` by a request that died, `ageMs` ago. */
async function stuckPayment(gateway: "sandbox" | "stripe", ageMs: number) {
  const order = await pendingOrder();
  const startedAt = new Date(Date.now() - ageMs);
  const [stuck] = await db()
    .insert(payments)
    .values({
      id: crypto.randomUUID(),
      orderId: order.id,
      userId: order.clientId,
      amountCents: order.totalPriceCents,
      paymentMethod: "card",
      gateway,
      status: "processing",
      createdAt: startedAt,
      updatedAt: startedAt,
    })
    .returning();
  return { order, stuck, startedAt };
}

const orderStatus = async (id: number) => (await db().select().from(orders).where(eq(orders.id, id)))[0].status;
const stripeDeps = () => testDeps(gatewaysOf(new SandboxGateway(), stripeGateway()));

describe("payments stuck in processing", () => {
  it("are failed after 5 minutes when the gateway never charged them (sandbox), so the client can pay again, and only then", async () => {
    const { order, stuck, startedAt } = await stuckPayment("sandbox", 60_000);
    expect((await pay(order.client.token, order.id)).status).toBe(409);

    await retryDuePayments(deps(), new Date(startedAt.getTime() + STUCK_AFTER_MS - 1000));
    expect((await paymentRow(stuck.id)).status).toBe("processing");

    const counts = await retryDuePayments(deps(), new Date(startedAt.getTime() + STUCK_AFTER_MS + 1000));
    expect(counts.stuck_payments).toBeGreaterThanOrEqual(1);
    expect(await paymentRow(stuck.id)).toMatchObject({ status: "failed", failureCode: "interrupted", retryable: false });
    const again = await pay(order.client.token, order.id);
    expect(again.status).toBe(201);
    expect(again.body.status).toBe("completed");
    expect(await orderStatus(order.id)).toBe("paid");
  });

  it("are settled from the charge Stripe made before the request died: payment completed, order paid, once", async () => {
    const { order, stuck, startedAt } = await stuckPayment("stripe", STUCK_AFTER_MS + 1000);
    // The dead request's charge, as Stripe holds it: an intent tagged with the payment's id.
    const made = await stripeGateway().charge({
      amountCents: stuck.amountCents,
      currency: stuck.currency,
      source: { reference: "pm_card_visa" },
      paymentId: stuck.id,
      orderId: order.id,
      attempt: 1,
      transactionId: null,
    });
    expect(made.ok).toBe(true);

    const job = stripeDeps();
    await retryDuePayments(job, new Date(startedAt.getTime() + STUCK_AFTER_MS + 1000));
    await job.settled();
    expect(await paymentRow(stuck.id)).toMatchObject({ status: "completed", gatewayTransactionId: made.transactionId });
    expect(await orderStatus(order.id)).toBe("paid");
    await retryDuePayments(stripeDeps(), new Date(startedAt.getTime() + STUCK_AFTER_MS + 60_000));
    expect(await paymentsOfOrder(order.id)).toHaveLength(1);
    expect((await paymentRow(stuck.id)).status).toBe("completed");
  });

  it("are failed when Stripe holds no charge of theirs", async () => {
    const { order, stuck, startedAt } = await stuckPayment("stripe", STUCK_AFTER_MS + 1000);
    await retryDuePayments(stripeDeps(), new Date(startedAt.getTime() + STUCK_AFTER_MS + 1000));
    expect(await paymentRow(stuck.id)).toMatchObject({ status: "failed", failureCode: "interrupted" });
    expect(await orderStatus(order.id)).toBe("pending");
  });

  it("stay processing while the gateway can't be asked, and are settled by a later run", async () => {
    const { stuck, startedAt } = await stuckPayment("stripe", STUCK_AFTER_MS + 1000);
    await failNextStripeRequest(500);
    const at = new Date(startedAt.getTime() + STUCK_AFTER_MS + 1000);
    await retryDuePayments(testDeps(gatewaysOf(stripeGateway())), at);
    // On a database shared with other suites another run may have asked first; it never turns an outage into a failure.
    const row = await paymentRow(stuck.id);
    expect(row.status === "processing" || row.failureCode === "interrupted").toBe(true);
    await retryDuePayments(stripeDeps(), at);
    expect((await paymentRow(stuck.id)).failureCode).toBe("interrupted");
  });
});
