import type { AppContext } from "../../context";
import { and, eq, or } from "drizzle-orm";
import Stripe from "stripe";
import { orders, payments, refunds, stripeEvents } from "../../../drizzle/schema";
import { abortUnlessChanged, isGuardFailure } from "../../db/guards";
import { ApiError } from "../../lib/errors";
import { logEvent } from "../../lib/log";
import { applyChargeback } from "../payouts/chargebacks";
import { applyAccountState } from "../payouts/payout-accounts.service";
import { runBatch } from "./payment-db";
import { chargeResultOf, payoutAccountStateOf } from "./gateways/stripe-gateway";
import { settleCharge } from "./payment-settlement";
import type { PaymentRow } from "./payments.schemas";
import { withRefunded } from "./refunds.service";

/** The event, if `signature` is Stripe's for this exact body; anything else → 400. */
export async function verifyStripeEvent(rawBody: string, signature: string | undefined, secret: string): Promise<Stripe.Event> {
  if (!signature) throw new ApiError("invalid_signature", "Missing Stripe-Signature header.");
  try {
    return await Stripe.webhooks.constructEventAsync(rawBody, signature, secret, undefined, Stripe.createSubtleCryptoProvider());
  } catch {
    throw new ApiError("invalid_signature", "Invalid Stripe signature.");
  }
}

/**
 * Applies each event once: the event id is recorded first (a duplicate delivery finds it and stops),
 * and every effect is itself a guarded state change, so concurrent or repeated deliveries, or the
 * request path reporting the same outcome, change nothing twice. A failure forgets the event so
 * Stripe's redelivery applies it.
 */
export async function applyStripeEvent(ctx: AppContext, event: Stripe.Event): Promise<"applied" | "duplicate"> {
  const recorded = await ctx.db.insert(stripeEvents).values({ id: event.id, type: event.type }).onConflictDoNothing().returning();
  if (!recorded.length) return "duplicate";
  try {
    await apply(ctx, event);
  } catch (error) {
    await ctx.db.delete(stripeEvents).where(eq(stripeEvents.id, event.id));
    throw error;
  }
  return "applied";
}

async function apply(ctx: AppContext, event: Stripe.Event): Promise<void> {
  switch (event.type) {
    case "payment_intent.succeeded":
      return intentSucceeded(ctx, event.data.object);
    case "payment_intent.payment_failed":
      return intentFailed(ctx, event.data.object);
    case "charge.refund.updated":
    case "refund.updated":
      return refundUpdated(ctx, event.data.object);
    // Connect and chargebacks belong to payouts: a worker's account changed; a card dispute freezes (or frees) the order's release.
    case "account.updated":
      await applyAccountState(ctx, payoutAccountStateOf(event.data.object));
      return;
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed": {
      const dispute = event.data.object;
      await applyChargeback(ctx, { id: dispute.id, status: dispute.status, paymentIntentId: typeof dispute.payment_intent === "string" ? dispute.payment_intent : (dispute.payment_intent?.id ?? null) });
      return;
    }
    default:
      logEvent("stripe_event_ignored", { event_id: event.id, type: event.type });
  }
}

async function paymentOf(ctx: AppContext, intent: Stripe.PaymentIntent): Promise<PaymentRow | undefined> {
  const [payment] = await ctx.db
    .select()
    .from(payments)
    .where(and(eq(payments.gateway, "stripe"), or(eq(payments.id, intent.metadata?.payment_id ?? ""), eq(payments.gatewayTransactionId, intent.id))));
  return payment;
}


async function intentSucceeded(ctx: AppContext, intent: Stripe.PaymentIntent) {
  const payment = await paymentOf(ctx, intent);
  if (payment?.status === "processing") {
    await settleCharge(ctx, payment, chargeResultOf(intent));
  } else if (payment?.status === "failed") {
    // The client was told this payment failed (and may have paid again): give the money back, and
    // make sure no retry confirms this intent again.
    await ctx.db.update(payments).set({ retryable: false, nextRetryAt: null }).where(eq(payments.id, payment.id));
    const result = await ctx.gateways
      .byName("stripe")
      .refund({ transactionId: intent.id, amountCents: intent.amount_received, refundId: `late_${payment.id}`, reason: "Succeeded after it was recorded as failed" });
    logEvent("late_success_refunded", { payment_id: payment.id, ok: result.ok });
    if (!result.ok) throw new Error(`Refund of late success ${intent.id} failed: ${result.message}`);
  }
}

async function intentFailed(ctx: AppContext, intent: Stripe.PaymentIntent) {
  const payment = await paymentOf(ctx, intent);
  if (payment?.status !== "processing") return;
  await settleCharge(ctx, payment, chargeResultOf(intent));
}

/** A refund that Stripe accepted and later failed: the money is still ours to return, so undo it and owe it again. */
async function refundUpdated(ctx: AppContext, refund: Stripe.Refund) {
  if (refund.status !== "failed" && refund.status !== "canceled") return;
  const { db } = ctx;
  const [row] = await db
    .select({ id: refunds.id, amountCents: refunds.amountCents, payment: payments })
    .from(refunds)
    .innerJoin(payments, eq(payments.id, refunds.paymentId))
    .where(or(eq(refunds.id, refund.metadata?.refund_id ?? ""), eq(refunds.gatewayRefundId, refund.id)));
  if (!row) return;
  try {
    await runBatch(db, [
      db.delete(refunds).where(eq(refunds.id, row.id)),
      abortUnlessChanged(db, "payment"),
      db.update(payments).set({ ...withRefunded(-row.amountCents), updatedAt: new Date() }).where(eq(payments.id, row.payment.id)),
      db.update(orders).set({ refundOwed: true }).where(and(eq(orders.id, row.payment.orderId), eq(orders.status, "canceled"))),
    ]);
    logEvent("refund_reverted", { payment_id: row.payment.id, refund_id: row.id, gateway_refund_id: refund.id });
  } catch (error) {
    // Both charge.refund.updated and refund.updated report the same failure; the first one undid it.
    if (!isGuardFailure(error, "payment")) throw error;
  }
}
