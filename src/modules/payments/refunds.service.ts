import type { AppContext } from "../../context";
import { and, eq, inArray, isNull, lte, notExists, sql } from "drizzle-orm";
import { orders, payments, refunds, type OrderStatus } from "../../../drizzle/schema";
import { abortUnlessChanged, isGuardFailure } from "../../db/guards";
import { ApiError, ValidationError, conflict, notFound } from "../../lib/errors";
import { logEvent } from "../../lib/log";
import { formatCents } from "../../lib/money";
import { inboxInserts, schedulePush } from "../notifications/notification-events";
import { CANCELED_BY_FULL_REFUND, cancelForFullRefund } from "../orders/order-commands";
import type { RefundResult } from "./gateways/gateway";
import { runBatch } from "./payment-db";
import type { PaymentRow } from "./payments.schemas";

const REFUNDABLE = ["completed", "partially_refunded"] as const;

/** `refunded_amount_cents + amount` with the status it implies; SQLite evaluates SET from the old row. */
export const withRefunded = (deltaCents: number) => ({
  refundedAmountCents: sql`${payments.refundedAmountCents} + ${deltaCents}`,
  status: sql<PaymentRow["status"]>`CASE WHEN ${payments.refundedAmountCents} + ${deltaCents} >= ${payments.amountCents} THEN 'refunded'
    WHEN ${payments.refundedAmountCents} + ${deltaCents} > 0 THEN 'partially_refunded' ELSE 'completed' END`,
});

/**
 * Refunds `amountCents` (default: what is left) through the gateway that took the payment.
 * The amount is reserved first by a guarded UPDATE (refunded + amount ≤ amount), so concurrent
 * refunds can never add up to more than was paid; a gateway refusal gives the reservation back.
 */
export async function refundPayment(
  ctx: AppContext,
  actorId: number | null,
  paymentId: string,
  input: { amountCents?: number; reason?: string },
): Promise<PaymentRow> {
  const { db } = ctx;
  const [found] = await db
    .select({ payment: payments, orderStatus: orders.status })
    .from(payments)
    .innerJoin(orders, eq(orders.id, payments.orderId))
    .where(eq(payments.id, paymentId));
  if (!found) throw notFound();
  const { payment, orderStatus } = found;
  if (!(REFUNDABLE as readonly string[]).includes(payment.status) || !payment.gatewayTransactionId) {
    throw conflict(`Only completed or partially refunded payments can be refunded; this payment is ${payment.status}.`);
  }
  const left = payment.amountCents - payment.refundedAmountCents;
  const amount = input.amountCents ?? left;
  if (amount > left) throw ValidationError.field("amount", `Ensure this value is less than or equal to ${formatCents(left)} (what is left to refund).`);

  const refundId = crypto.randomUUID();
  let reserved: PaymentRow;
  try {
    const [[row]] = await runBatch(db, [
      db
        .update(payments)
        .set({ ...withRefunded(amount), updatedAt: new Date() })
        .where(
          and(
            eq(payments.id, payment.id),
            inArray(payments.status, REFUNDABLE),
            sql`${payments.refundedAmountCents} + ${amount} <= ${payments.amountCents}`,
          ),
        )
        .returning(),
      abortUnlessChanged(db, "payment"),
      db.insert(refunds).values({ id: refundId, paymentId: payment.id, amountCents: amount, reason: input.reason ?? "", createdById: actorId }),
    ]) as [PaymentRow[]];
    reserved = row;
  } catch (error) {
    if (isGuardFailure(error, "payment")) throw conflict("Another refund changed this payment meanwhile; reload it and try again.");
    throw error;
  }

  const intent: RefundIntent = {
    refundId,
    paymentId: payment.id,
    orderId: payment.orderId,
    amountCents: amount,
    orderStatus,
    fullyRefunded: reserved.status === "refunded",
    paymentUpdatedAt: payment.updatedAt,
  };
  const result = await ctx.gateways
    .byName(payment.gateway)
    .refund({ transactionId: payment.gatewayTransactionId, amountCents: amount, refundId, reason: input.reason });
  await recordRefundOutcome(ctx, intent, result, actorId);
  if (!result.ok) throw new ApiError("refund_failed", `The payment gateway refused the refund: ${result.message}`);
  return reserved;
}

/** A refund reserved on its payment (a `refunds` row without a gateway refund id) whose gateway call has no recorded outcome yet. */
interface RefundIntent {
  refundId: string;
  paymentId: string;
  orderId: number;
  amountCents: number;
  /** The order's status when the refund was asked for: a full refund of a paid or in-progress order cancels it. */
  orderStatus: OrderStatus;
  /** The payment's reservations now cover its whole amount. */
  fullyRefunded: boolean;
  /** A refusal leaves the payment as it was, this included; recovery, which doesn't know it, stamps the time of the give-back. */
  paymentUpdatedAt?: Date;
}

/**
 * Records the gateway's answer to a refund intent, once: a refusal gives the reservation back; a
 * success stores the gateway refund id and, for a full refund of an order not yet completed, cancels
 * the order in the same batch. Guarded on the intent still being open, so the request and the
 * recovery job (which re-asks the gateway with the same idempotency key) never both apply it.
 */
async function recordRefundOutcome(ctx: AppContext, intent: RefundIntent, result: RefundResult, actorId: number | null) {
  const { db } = ctx;
  const open = and(eq(refunds.id, intent.refundId), isNull(refunds.gatewayRefundId));
  logEvent("refund_outcome", { payment_id: intent.paymentId, refund_id: intent.refundId, amount_cents: intent.amountCents, ok: result.ok, failure_code: result.ok ? null : result.code });
  try {
    if (!result.ok) {
      await runBatch(db, [
        db.delete(refunds).where(open),
        abortUnlessChanged(db, "payment"),
        db.update(payments).set({ ...withRefunded(-intent.amountCents), updatedAt: intent.paymentUpdatedAt ?? new Date() }).where(eq(payments.id, intent.paymentId)),
      ]);
      return;
    }
    const cancels = intent.fullyRefunded && (CANCELED_BY_FULL_REFUND as readonly string[]).includes(intent.orderStatus);
    const refunded = inboxInserts(db, { kind: "payment_refunded", orderId: intent.orderId, paymentId: intent.paymentId });
    const canceled = cancelForFullRefund(db, intent.orderId, actorId);
    await runBatch(db, [
      db.update(refunds).set({ gatewayRefundId: result.gatewayRefundId }).where(open),
      abortUnlessChanged(db, "payment"),
      ...(intent.fullyRefunded ? [db.update(orders).set({ refundOwed: false }).where(eq(orders.id, intent.orderId))] : []),
      ...refunded.statements,
      ...(cancels ? canceled.statements : []),
    ]);
    schedulePush(ctx.outbox, refunded.eventId);
    if (cancels) schedulePush(ctx.outbox, canceled.eventId);
  } catch (error) {
    if (!isGuardFailure(error, "payment")) throw error;
    logEvent("refund_outcome_already_recorded", { refund_id: intent.refundId });
  }
}

/**
 * Repairs orders left paid or in progress although their payment is fully refunded, with no refund
 * of it still open (written before full refunds canceled their order in the same batch).
 */
export async function cancelFullyRefundedOrders(ctx: AppContext, limit: number): Promise<number> {
  const { db } = ctx;
  const stranded = await db
    .select({ id: orders.id })
    .from(orders)
    .innerJoin(payments, and(eq(payments.orderId, orders.id), eq(payments.status, "refunded")))
    .where(
      and(
        inArray(orders.status, CANCELED_BY_FULL_REFUND),
        notExists(db.select({ id: refunds.id }).from(refunds).where(and(eq(refunds.paymentId, payments.id), isNull(refunds.gatewayRefundId)))),
      ),
    )
    .limit(limit);
  for (const order of stranded) {
    const canceled = cancelForFullRefund(db, order.id, null);
    await runBatch(db, canceled.statements);
    schedulePush(ctx.outbox, canceled.eventId);
  }
  return stranded.length;
}

/** How long a refund intent may wait for its own request to record the gateway's answer (longer than GATEWAY_TIMEOUT_MS) before recovery re-asks the gateway. */
export const REFUND_INTENT_LEASE_MS = 60_000;

/**
 * Recovery for refunds whose Worker died between reserving the amount and recording the gateway's
 * answer: re-asks the gateway with the same idempotency key (the refund id), so a refund that went
 * through is recorded, never made twice, and one that didn't is made now or given back.
 */
export async function recoverRefundIntents(ctx: AppContext, now: Date, limit: number): Promise<number> {
  const stale = await ctx.db
    .select({ refund: refunds, payment: payments, orderStatus: orders.status })
    .from(refunds)
    .innerJoin(payments, eq(payments.id, refunds.paymentId))
    .innerJoin(orders, eq(orders.id, payments.orderId))
    .where(and(isNull(refunds.gatewayRefundId), lte(refunds.createdAt, new Date(now.getTime() - REFUND_INTENT_LEASE_MS))))
    .limit(limit);
  let recovered = 0;
  for (const { refund, payment, orderStatus } of stale) {
    try {
      const result = await ctx.gateways
        .byName(payment.gateway)
        .refund({ transactionId: payment.gatewayTransactionId ?? "", amountCents: refund.amountCents, refundId: refund.id, reason: refund.reason });
      const intent = {
        refundId: refund.id,
        paymentId: payment.id,
        orderId: payment.orderId,
        amountCents: refund.amountCents,
        orderStatus,
        fullyRefunded: payment.status === "refunded",
      };
      await recordRefundOutcome(ctx, intent, result, refund.createdById);
      recovered++;
    } catch (error) {
      // One intent that can't be settled now (a gateway outage) must not hold up the others; the next run tries again.
      logEvent("refund_recovery_failed", { refund_id: refund.id, error: String(error) });
    }
  }
  return recovered;
}

export type OwedRefundOutcome = { status: "refunded"; payment: PaymentRow } | { status: "nothing_owed" } | { status: "failed"; reason: string };

/**
 * Settles `orders.refund_owed` (set when a paid or in-progress order is canceled): refunds what is
 * left on the order's live payment and clears the flag. Idempotent: an order that owes nothing, or
 * whose refund another caller is making right now, is left alone. Never throws for a refusal, so a
 * cancel that already committed is not turned into an error; the payment-retry job tries again.
 */
export async function refundOwedOrder(ctx: AppContext, orderId: number, actorId: number | null): Promise<OwedRefundOutcome> {
  const { db } = ctx;
  const [owed] = await db
    .select({ paymentId: payments.id })
    .from(orders)
    .leftJoin(payments, and(eq(payments.orderId, orders.id), inArray(payments.status, REFUNDABLE)))
    .where(and(eq(orders.id, orderId), eq(orders.refundOwed, true)));
  if (!owed) return { status: "nothing_owed" };
  if (!owed.paymentId) {
    await db.update(orders).set({ refundOwed: false }).where(eq(orders.id, orderId));
    return { status: "nothing_owed" };
  }
  try {
    const payment = await refundPayment(ctx, actorId, owed.paymentId, { reason: "Order canceled" });
    return { status: "refunded", payment };
  } catch (error) {
    if (!(error instanceof ApiError) && !(error instanceof ValidationError)) throw error;
    logEvent("owed_refund_failed", { order_id: orderId, payment_id: owed.paymentId, error: error.message });
    return { status: "failed", reason: error instanceof ApiError ? error.detail : "invalid amount" };
  }
}
