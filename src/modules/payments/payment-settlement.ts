import type { AppContext } from "../../context";
import { and, eq } from "drizzle-orm";
import { orders, payments } from "../../../drizzle/schema";
import { abortUnlessChanged, isGuardFailure } from "../../db/guards";
import { logEvent } from "../../lib/log";
import { inboxInserts, schedulePush } from "../notifications/notification-events";
import { markPaidStatements } from "../orders/order-commands";
import { openEscrowStatement } from "../payouts/escrow-terms";
import type { ChargeRequest, ChargeResult, PaymentGateway } from "./gateways/gateway";
import { loadPayment, runBatch } from "./payment-db";
import type { PaymentRow } from "./payments.schemas";
import { refundOwedOrder } from "./refunds.service";

/** A payment is charged at most this many times (the first try plus retries). */
export const MAX_CHARGE_ATTEMPTS = 5;
const RETRY_BASE_MS = 30 * 60 * 1000;

/** Exponential backoff: 30 min after the first failure, then 1 h, 2 h, 4 h. */
export const retryDelayMs = (attempts: number) => RETRY_BASE_MS * 2 ** (attempts - 1);

/** A gateway that throws is a failed attempt like any other, never a payment stuck in `processing`. */
export async function chargeSafely(gateway: PaymentGateway, request: ChargeRequest): Promise<ChargeResult> {
  try {
    return await gateway.charge(request);
  } catch (error) {
    logEvent("gateway_error", { payment_id: request.paymentId, gateway: gateway.name, error: String(error) });
    const reference = "reference" in request.source ? request.source.reference : null;
    return { ok: false, code: "gateway_error", message: "The payment gateway failed.", retryable: true, transactionId: request.transactionId, reference };
  }
}

export interface Settled {
  payment: PaymentRow;
  /** False when the order had stopped being pending: the charge was refunded instead. */
  orderWasPending: boolean;
}

/**
 * Records a gateway outcome for a `processing` payment, whoever reports it first (the request, the
 * retry job or a webhook); later reports of the same payment change nothing. Success: payment
 * completed + order pending→paid + history + notification in one batch. Failure: payment failed
 * (retryable or not) + notification; the order stays pending.
 */
export async function settleCharge(ctx: AppContext, payment: PaymentRow, result: ChargeResult, now = new Date()): Promise<Settled> {
  const { db } = ctx;
  const processing = and(eq(payments.id, payment.id), eq(payments.status, "processing"));
  const reference = result.reference ?? payment.gatewayPaymentMethod;
  logEvent("payment_outcome", {
    payment_id: payment.id,
    order_id: payment.orderId,
    gateway: payment.gateway,
    attempt: payment.attempts,
    ok: result.ok,
    failure_code: result.ok ? null : result.code,
  });

  if (!result.ok) {
    // Without a reusable reference there is nothing to retry with: the client pays again instead.
    const retryable = result.retryable && reference !== null && payment.attempts < MAX_CHARGE_ATTEMPTS;
    const failed = {
      status: "failed" as const,
      failureCode: result.code,
      failureMessage: result.message,
      retryable,
      nextRetryAt: retryable ? new Date(now.getTime() + retryDelayMs(payment.attempts)) : null,
      gatewayTransactionId: result.transactionId ?? payment.gatewayTransactionId,
      gatewayPaymentMethod: reference,
      processedAt: now,
      updatedAt: now,
    };
    const event = inboxInserts(db, { kind: "payment_failed", orderId: payment.orderId, paymentId: payment.id });
    try {
      await runBatch(db, [db.update(payments).set(failed).where(processing), abortUnlessChanged(db, "payment"), ...event.statements]);
    } catch (error) {
      if (isGuardFailure(error, "payment")) return { payment: await loadPayment(db, payment.id), orderWasPending: true };
      throw error;
    }
    schedulePush(ctx.outbox, event.eventId);
    return { payment: { ...payment, ...failed }, orderWasPending: true };
  }

  const completed = {
    status: "completed" as const,
    gatewayTransactionId: result.transactionId,
    gatewayPaymentMethod: reference,
    failureCode: null,
    failureMessage: null,
    retryable: false,
    nextRetryAt: null,
    processedAt: now,
    updatedAt: now,
  };
  const markCompleted = db.update(payments).set(completed).where(processing);
  // The client hears about the payment; both parties (a worker may already be assigned) about the order.
  const events = [
    inboxInserts(db, { kind: "payment_success", orderId: payment.orderId, paymentId: payment.id }),
    inboxInserts(db, { kind: "status_changed", orderId: payment.orderId, status: "paid" }),
  ];
  try {
    await runBatch(db, [
      markCompleted,
      abortUnlessChanged(db, "payment"),
      ...markPaidStatements(db, payment.orderId, payment.id),
      // The money is held from here until it is released to the worker (or refunded).
      openEscrowStatement(db, ctx.config, payment),
      ...events.flatMap((event) => event.statements),
    ]);
    for (const event of events) schedulePush(ctx.outbox, event.eventId);
    return { payment: { ...payment, ...completed }, orderWasPending: true };
  } catch (error) {
    if (isGuardFailure(error, "payment")) return { payment: await loadPayment(db, payment.id), orderWasPending: true };
    if (!isGuardFailure(error, "order")) throw error;
  }

  // Money was taken but the order is no longer pending (e.g. canceled meanwhile): record the charge
  // with a refund owed, then refund it. If the refund fails now, the payment-retry job settles it.
  try {
    await runBatch(db, [
      markCompleted,
      abortUnlessChanged(db, "payment"),
      db.update(orders).set({ refundOwed: true, updatedAt: now }).where(eq(orders.id, payment.orderId)),
    ]);
  } catch (error) {
    if (isGuardFailure(error, "payment")) return { payment: await loadPayment(db, payment.id), orderWasPending: true };
    throw error;
  }
  await refundOwedOrder(ctx, payment.orderId, null);
  return { payment: await loadPayment(db, payment.id), orderWasPending: false };
}
