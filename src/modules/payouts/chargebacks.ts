import { eq } from "drizzle-orm";
import { escrows, payments } from "../../../drizzle/schema";
import type { AppContext } from "../../context";
import { logEvent } from "../../lib/log";

/**
 * A card dispute (Stripe `charge.dispute.*`) on an order's payment: its escrow records the dispute
 * and its status, shown to admins on the order. While it is open (or lost) the release is frozen;
 * won (or an inquiry closed without a dispute) lets it go on. Found by the dispute's PaymentIntent.
 */
export async function applyChargeback(ctx: AppContext, chargeback: { id: string; status: string; paymentIntentId: string | null }) {
  if (!chargeback.paymentIntentId) return false;
  const [payment] = await ctx.db.select({ orderId: payments.orderId }).from(payments).where(eq(payments.gatewayTransactionId, chargeback.paymentIntentId));
  if (!payment) {
    logEvent("chargeback_unknown_payment", { dispute_id: chargeback.id });
    return false;
  }
  const updated = await ctx.db
    .update(escrows)
    .set({ chargebackId: chargeback.id, chargebackStatus: chargeback.status, updatedAt: new Date() })
    .where(eq(escrows.orderId, payment.orderId))
    .returning({ orderId: escrows.orderId });
  logEvent("chargeback", { order_id: payment.orderId, dispute_id: chargeback.id, status: chargeback.status });
  return updated.length > 0;
}
