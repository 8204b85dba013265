import { and, eq, inArray, sql } from "drizzle-orm";
import { orders, payments, refunds } from "../../../drizzle/schema";
import { ApiError, ValidationError, conflict, notFound } from "../../lib/errors";
import { logEvent } from "../../lib/log";
import { formatCents } from "../../lib/money";
import { inboxInserts, schedulePush } from "../notifications/notification-events";
import { isGuardFailure, transitionStatements } from "../orders/order-transitions";
import type { PaymentDeps } from "./payment-deps";
import { isPaymentGuardFailure, rollbackUnlessChanged, runBatch } from "./payment-db";
import type { PaymentRow } from "./payments.schemas";

const REFUNDABLE = ["completed", "partially_refunded"] as const;
/** A full refund of an order that hasn't been completed cancels it. */
const CANCELED_BY_FULL_REFUND = ["paid", "in_progress"] as const;

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
  deps: PaymentDeps,
  actorId: number | null,
  paymentId: string,
  input: { amountCents?: number; reason?: string },
): Promise<PaymentRow> {
  const { db } = deps;
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
      rollbackUnlessChanged(db),
      db.insert(refunds).values({ id: refundId, paymentId: payment.id, amountCents: amount, reason: input.reason ?? "", createdById: actorId }),
    ]) as [PaymentRow[]];
    reserved = row;
  } catch (error) {
    if (isPaymentGuardFailure(error)) throw conflict("Another refund changed this payment meanwhile; reload it and try again.");
    throw error;
  }

  const result = await deps.gateways
    .byName(payment.gateway)
    .refund({ transactionId: payment.gatewayTransactionId, amountCents: amount, refundId, reason: input.reason });
  logEvent("refund_outcome", { payment_id: payment.id, refund_id: refundId, amount_cents: amount, ok: result.ok, failure_code: result.ok ? null : result.code });
  if (!result.ok) {
    await runBatch(db, [
      db.update(payments).set({ ...withRefunded(-amount), updatedAt: payment.updatedAt }).where(eq(payments.id, payment.id)),
      db.delete(refunds).where(eq(refunds.id, refundId)),
    ]);
    throw new ApiError(400, "refund_failed", `The payment gateway refused the refund: ${result.message}`);
  }

  const fullyRefunded = reserved.status === "refunded";
  const refunded = inboxInserts(db, { kind: "payment_refunded", orderId: payment.orderId, paymentId: payment.id });
  await runBatch(db, [
    db.update(refunds).set({ gatewayRefundId: result.gatewayRefundId }).where(eq(refunds.id, refundId)),
    ...(fullyRefunded ? [db.update(orders).set({ refundOwed: false }).where(eq(orders.id, payment.orderId))] : []),
    ...refunded.statements,
  ]);
  schedulePush(deps.effects, refunded.eventId);
  if (fullyRefunded && (CANCELED_BY_FULL_REFUND as readonly string[]).includes(orderStatus)) {
    await cancelRefundedOrder(deps, payment.orderId, orderStatus as (typeof CANCELED_BY_FULL_REFUND)[number], actorId);
  }
  return reserved;
}

async function cancelRefundedOrder(deps: PaymentDeps, orderId: number, from: (typeof CANCELED_BY_FULL_REFUND)[number], actorId: number | null) {
  const canceled = inboxInserts(deps.db, { kind: "status_changed", orderId, status: "canceled" });
  try {
    await runBatch(deps.db, [
      ...transitionStatements(deps.db, { orderId, from, to: "canceled", actorId, comment: "Canceled: the payment was fully refunded." }),
      ...canceled.statements,
    ]);
    schedulePush(deps.effects, canceled.eventId);
  } catch (error) {
    // The order moved on meanwhile (e.g. completed or canceled by someone else): the refund stands.
    if (!isGuardFailure(error)) throw error;
    logEvent("refund_cancel_skipped", { order_id: orderId, from });
  }
}

export type OwedRefundOutcome = { status: "refunded"; payment: PaymentRow } | { status: "nothing_owed" } | { status: "failed"; reason: string };

/**
 * Settles `orders.refund_owed` (set when a paid or in-progress order is canceled): refunds what is
 * left on the order's live payment and clears the flag. Idempotent: an order that owes nothing, or
 * whose refund another caller is making right now, is left alone. Never throws for a refusal, so a
 * cancel that already committed is not turned into an error; the payment-retry job tries again.
 */
export async function refundOwedOrder(deps: PaymentDeps, orderId: number, actorId: number | null): Promise<OwedRefundOutcome> {
  const { db } = deps;
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
    const payment = await refundPayment(deps, actorId, owed.paymentId, { reason: "Order canceled" });
    return { status: "refunded", payment };
  } catch (error) {
    if (!(error instanceof ApiError) && !(error instanceof ValidationError)) throw error;
    logEvent("owed_refund_failed", { order_id: orderId, payment_id: owed.paymentId, error: error.message });
    return { status: "failed", reason: error instanceof ApiError ? error.detail : "invalid amount" };
  }
}
