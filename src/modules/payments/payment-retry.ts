import type { Db } from "../../db/client";
import type { AppContext } from "../../context";
import { and, asc, eq, lte, sql } from "drizzle-orm";
import { orders, payments } from "../../../drizzle/schema";
import { isUniqueViolation } from "../../db/results";
import { logEvent } from "../../lib/log";
import { chargeSafely, settleCharge } from "./payment-settlement";
import type { PaymentRow } from "./payments.schemas";
import { cancelFullyRefundedOrders, recoverRefundIntents, refundOwedOrder } from "./refunds.service";

const BATCH_SIZE = 50;
/**
 * A payment still processing after this was interrupted: longer than any gateway call can take
 * (GATEWAY_TIMEOUT_MS) and than Stripe's search takes to see a new intent.
 */
export const STUCK_AFTER_MS = 5 * 60 * 1000;

/**
 * A Worker that died between recording a payment as processing and settling it would leave the
 * order unpayable (one live payment per order). The gateway is asked what it holds for the payment:
 * a charge it made is settled as the request would have settled it; a payment it never charged
 * becomes failed, so the client can pay again. One payment the gateway can't be asked about now
 * stays for the next run.
 */
async function settleStuckPayments(ctx: AppContext, now: Date): Promise<number> {
  const { db } = ctx;
  const stuck = await db
    .select()
    .from(payments)
    .where(and(eq(payments.status, "processing"), lte(payments.updatedAt, new Date(now.getTime() - STUCK_AFTER_MS))))
    .limit(BATCH_SIZE);
  let settled = 0;
  for (const payment of stuck) {
    try {
      const found = await ctx.gateways.byName(payment.gateway).findCharge({ paymentId: payment.id, transactionId: payment.gatewayTransactionId });
      if (found) await settleCharge(ctx, payment, found, now);
      else await releaseUncharged(db, payment.id, now);
      settled++;
    } catch (error) {
      logEvent("stuck_payment_unresolved", { payment_id: payment.id, error: String(error) });
    }
  }
  return settled;
}

async function releaseUncharged(db: Db, paymentId: string, now: Date): Promise<void> {
  await db
    .update(payments)
    .set({
      status: "failed",
      failureCode: "interrupted",
      failureMessage: "The payment was interrupted before the gateway charged it; please pay again.",
      retryable: false,
      nextRetryAt: null,
      updatedAt: now,
    })
    .where(and(eq(payments.id, paymentId), eq(payments.status, "processing")));
}

/**
 * The payment-retry job: charges due retryable failed payments again through the gateway that took
 * them, using the stored reusable reference (never card data), and settles refunds still owed on
 * canceled orders, after settling payments stuck in processing and refunds whose request
 * died before recording the gateway's answer. Safe to run concurrently and repeatedly.
 */
export async function retryDuePayments(ctx: AppContext, now: Date) {
  const { db } = ctx;
  const stuckPayments = await settleStuckPayments(ctx, now);
  const recoveredRefunds = await recoverRefundIntents(ctx, now, BATCH_SIZE);
  const due = await db
    .select()
    .from(payments)
    .where(and(eq(payments.status, "failed"), eq(payments.retryable, true), lte(payments.nextRetryAt, now)))
    .orderBy(asc(payments.nextRetryAt))
    .limit(BATCH_SIZE);
  const canceledOrders = await cancelFullyRefundedOrders(ctx, BATCH_SIZE);
  const counts = { completed: 0, failed: 0, skipped: 0, refunds: 0, stuck_payments: stuckPayments, recovered_refunds: recoveredRefunds, canceled_orders: canceledOrders };
  for (const payment of due) {
    const claimed = await claimForRetry(ctx, payment, now);
    if (!claimed) {
      counts.skipped++;
      continue;
    }
    const result = await chargeSafely(ctx.gateways.byName(claimed.gateway), {
      amountCents: claimed.amountCents,
      currency: claimed.currency,
      source: { reference: claimed.gatewayPaymentMethod ?? "" },
      paymentId: claimed.id,
      orderId: claimed.orderId,
      attempt: claimed.attempts,
      transactionId: claimed.gatewayTransactionId,
    });
    const settled = await settleCharge(ctx, claimed, result, now);
    counts[settled.payment.status === "failed" ? "failed" : "completed"]++;
  }

  const owed = await db.select({ id: orders.id }).from(orders).where(eq(orders.refundOwed, true)).limit(BATCH_SIZE);
  for (const order of owed) {
    if ((await refundOwedOrder(ctx, order.id, null)).status === "refunded") counts.refunds++;
  }
  return counts;
}

/**
 * failed → processing with one more attempt, only while the order is still pending. The unique
 * index refuses it if another payment of the order is live. A payment that can't be claimed will
 * never need a retry again, so it stops being retryable (unless another run changed it meanwhile).
 */
async function claimForRetry(ctx: AppContext, payment: PaymentRow, now: Date): Promise<PaymentRow | null> {
  const { db } = ctx;
  const stillDue = and(eq(payments.id, payment.id), eq(payments.status, "failed"), eq(payments.retryable, true));
  let claimed: PaymentRow[] = [];
  try {
    claimed = await db
      .update(payments)
      .set({ status: "processing", attempts: sql`${payments.attempts} + 1`, retryable: false, nextRetryAt: null, updatedAt: now })
      .where(and(stillDue, sql`EXISTS (SELECT 1 FROM ${orders} WHERE ${orders.id} = ${payments.orderId} AND ${orders.status} = 'pending')`))
      .returning();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  if (claimed.length) return claimed[0];
  await db
    .update(payments)
    .set({ retryable: false, nextRetryAt: null, updatedAt: now })
    .where(and(stillDue, eq(payments.nextRetryAt, payment.nextRetryAt ?? now)));
  return null;
}
