import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, orderStatusHistory, orders, payments, refunds } from "../../drizzle/schema";
import type { PaymentGateway, RefundRequest } from "../../src/modules/payments/gateways/gateway";
import { SandboxGateway } from "../../src/modules/payments/gateways/sandbox-gateway";
import { retryDuePayments } from "../../src/modules/payments/payment-retry";
import { REFUND_INTENT_LEASE_MS, refundPayment } from "../../src/modules/payments/refunds.service";
import { db } from "../helpers/factories";
import { CARDS, cardBody, gatewaysOf, pay, paymentRow, pendingOrder, testDeps } from "./helpers";
import { stripeGateway } from "./stripe-helpers";

/** The sandbox, counting refund calls; `dieAfterRefund` makes the caller lose the gateway's answer, as a Worker killed right after it would. */
function recordingSandbox(dieAfterRefund: boolean) {
  const sandbox = new SandboxGateway();
  const calls: RefundRequest[] = [];
  const gateway: PaymentGateway = {
    name: sandbox.name,
    charge: (request) => sandbox.charge(request),
    findCharge: (lookup) => sandbox.findCharge(lookup),
    createPayoutAccount: (request) => sandbox.createPayoutAccount(request),
    onboardingUrl: (accountId, baseUrl) => sandbox.onboardingUrl(accountId, baseUrl),
    transfer: (request) => sandbox.transfer(request),
    reverseTransfer: (request) => sandbox.reverseTransfer(request),
    async refund(request) {
      calls.push(request);
      const result = await sandbox.refund(request);
      if (dieAfterRefund) throw new Error("the Worker was stopped");
      return result;
    },
  };
  return { gateway, calls };
}

/** A paid order whose admin refund of `amountCents` (default: all) reached the gateway and then lost its answer. */
async function refundLostAfterGateway(card: string = CARDS.success, amountCents?: number) {
  const order = await pendingOrder();
  const paid = await pay(order.client.token, order.id, cardBody(card));
  expect(paid.body.status).toBe("completed");
  const crashing = recordingSandbox(true);
  await expect(refundPayment(testDeps(gatewaysOf(crashing.gateway)), null, paid.body.id, { amountCents })).rejects.toThrow("stopped");
  const [intent] = await db().select().from(refunds).where(eq(refunds.paymentId, paid.body.id));
  expect(intent.gatewayRefundId).toBeNull();
  return { order, paymentId: paid.body.id as string, intent, firstCall: crashing.calls[0] };
}

/** The job sees every suite's data where the database is shared (libSQL), Stripe payments included. */
const jobDeps = (gateway: PaymentGateway) => testDeps(gatewaysOf(gateway, stripeGateway()));
const afterLease = (from: Date) => new Date(from.getTime() + REFUND_INTENT_LEASE_MS + 1000);
const orderRow = async (id: number) => (await db().select().from(orders).where(eq(orders.id, id)))[0];
const lastHistory = async (orderId: number) =>
  (await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, orderId)).orderBy(asc(orderStatusHistory.id))).at(-1);

describe("recovery of refunds whose request died after the gateway call", () => {
  it("records a full refund the gateway made, with the same idempotency key, and cancels the order in that batch", async () => {
    const { order, paymentId, intent, firstCall } = await refundLostAfterGateway();
    expect((await orderRow(order.id)).status).toBe("paid");

    const recovery = recordingSandbox(false);
    const deps = jobDeps(recovery.gateway);
    await retryDuePayments(deps, afterLease(intent.createdAt));
    await deps.settled();

    // On a database shared with other suites (libSQL), another suite's run of the job may settle it first: the outcome is what counts.
    const asked = () => recovery.calls.filter((call) => call.refundId === intent.id);
    expect(asked().length).toBeLessThanOrEqual(1);
    for (const { transactionId, amountCents } of asked()) expect({ transactionId, amountCents }).toEqual({ transactionId: firstCall.transactionId, amountCents: 5000 });
    const [settled] = await db().select().from(refunds).where(eq(refunds.id, intent.id));
    expect(settled.gatewayRefundId).toBe(`re_sandbox_${intent.id}`);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "refunded", refundedAmountCents: 5000 });
    expect(await orderRow(order.id)).toMatchObject({ status: "canceled", refundOwed: false });
    expect(await lastHistory(order.id)).toMatchObject({ status: "canceled" });

    // A second run finds nothing left to do for this refund and asks the gateway nothing about it.
    const before = asked().length;
    await retryDuePayments(deps, afterLease(intent.createdAt));
    expect(asked()).toHaveLength(before);
    expect(await db().select().from(refunds).where(eq(refunds.paymentId, paymentId))).toHaveLength(1);
  });

  it("records a partial refund without touching the order", async () => {
    const { order, paymentId, intent } = await refundLostAfterGateway(CARDS.success, 1500);
    await retryDuePayments(jobDeps(recordingSandbox(false).gateway), afterLease(intent.createdAt));
    expect(await paymentRow(paymentId)).toMatchObject({ status: "partially_refunded", refundedAmountCents: 1500 });
    expect((await db().select().from(refunds).where(eq(refunds.id, intent.id)))[0].gatewayRefundId).not.toBeNull();
    expect((await orderRow(order.id)).status).toBe("paid");
    expect(await lastHistory(order.id)).toMatchObject({ status: "paid" });
  });

  it("gives the reservation back when the gateway refuses the refund on the second ask", async () => {
    const { order, paymentId, intent } = await refundLostAfterGateway(CARDS.refundFails);
    await retryDuePayments(jobDeps(recordingSandbox(false).gateway), afterLease(intent.createdAt));
    expect(await db().select().from(refunds).where(eq(refunds.id, intent.id))).toEqual([]);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "completed", refundedAmountCents: 0 });
    expect((await orderRow(order.id)).status).toBe("paid");
  });

  it("leaves an intent alone while its own request may still record it (the lease)", async () => {
    const { intent } = await refundLostAfterGateway();
    const recovery = recordingSandbox(false);
    await retryDuePayments(jobDeps(recovery.gateway), new Date(intent.createdAt.getTime() + REFUND_INTENT_LEASE_MS - 1000));
    expect(recovery.calls.filter((call) => call.refundId === intent.id)).toEqual([]);
    expect((await db().select().from(refunds).where(eq(refunds.id, intent.id)))[0].gatewayRefundId).toBeNull();
  });
});

describe("a full refund through the API", () => {
  it("cancels the order in the batch that records the refund", async () => {
    const order = await pendingOrder();
    const paid = await pay(order.client.token, order.id);
    const deps = testDeps(gatewaysOf(new SandboxGateway()));
    expect((await refundPayment(deps, null, paid.body.id, {})).status).toBe("refunded");
    expect(await orderRow(order.id)).toMatchObject({ status: "canceled", refundOwed: false });
    expect(await lastHistory(order.id)).toMatchObject({ status: "canceled", comment: "Canceled: the payment was fully refunded." });
  });

  it("cancels an order that moved from paid to in progress while the gateway refunded", async () => {
    const order = await pendingOrder();
    const paid = await pay(order.client.token, order.id);
    const sandbox = new SandboxGateway();
    const startsWork: PaymentGateway = {
      name: sandbox.name,
      charge: (request) => sandbox.charge(request),
      findCharge: (lookup) => sandbox.findCharge(lookup),
      createPayoutAccount: (request) => sandbox.createPayoutAccount(request),
      onboardingUrl: (accountId, baseUrl) => sandbox.onboardingUrl(accountId, baseUrl),
      transfer: (request) => sandbox.transfer(request),
      reverseTransfer: (request) => sandbox.reverseTransfer(request),
      async refund(request) {
        // The worker starts the job while the refund is at the gateway.
        await db().update(orders).set({ status: "in_progress" }).where(eq(orders.id, order.id));
        return sandbox.refund(request);
      },
    };
    expect((await refundPayment(testDeps(gatewaysOf(startsWork)), null, paid.body.id, {})).status).toBe("refunded");
    expect((await orderRow(order.id)).status).toBe("canceled");
    expect(await lastHistory(order.id)).toMatchObject({ status: "canceled" });
  });
});

describe("orders left paid with a fully refunded payment", () => {
  it("are canceled by payment-retry, with history and a notification, once", async () => {
    const order = await pendingOrder();
    const paid = await pay(order.client.token, order.id);
    // What a full refund recorded without canceling its order left behind.
    await db().update(payments).set({ status: "refunded", refundedAmountCents: 5000 }).where(eq(payments.id, paid.body.id));
    await db().insert(refunds).values({ id: crypto.randomUUID(), paymentId: paid.body.id, amountCents: 5000, gatewayRefundId: "re_sandbox_old" });

    const deps = jobDeps(new SandboxGateway());
    await retryDuePayments(deps, new Date());
    await deps.settled();
    expect((await orderRow(order.id)).status).toBe("canceled");
    expect(await lastHistory(order.id)).toMatchObject({ status: "canceled", comment: "Canceled: the payment was fully refunded." });
    await retryDuePayments(jobDeps(new SandboxGateway()), new Date());
    const history = await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, order.id));
    expect(history.filter((row) => row.status === "canceled")).toHaveLength(1);
    const told = await db().select().from(notifications).where(and(eq(notifications.orderId, order.id), eq(notifications.userId, order.clientId)));
    expect(told.filter((row) => row.data.status === "canceled")).toHaveLength(1);
  });

  it("are left alone while a refund of theirs is still open (recovery settles it first)", async () => {
    const order = await pendingOrder();
    const paid = await pay(order.client.token, order.id);
    await db().update(payments).set({ status: "refunded", refundedAmountCents: 5000 }).where(eq(payments.id, paid.body.id));
    await db().insert(refunds).values({ id: crypto.randomUUID(), paymentId: paid.body.id, amountCents: 5000 });
    await retryDuePayments(jobDeps(new SandboxGateway()), new Date());
    expect((await orderRow(order.id)).status).toBe("paid");
  });
});
