import { ctxOf, type AppContext } from "../../context";
import { currentUser } from "../../lib/auth";
import { idempotent, type OperationId } from "../../lib/idempotency";
import { logEvent } from "../../lib/log";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import { getPaymentRoute, listPaymentsRoute, payOrderRoute, refundPaymentRoute } from "./payments.routes";
import { toPaymentDto, type PaymentDto } from "./payments.schemas";
import { getPayment, listPayments, payOrder } from "./payments.service";
import { refundOwedOrder, refundPayment } from "./refunds.service";
import { stripeWebhookRouter } from "./stripe-webhook.router";

/**
 * A canceled paid order is refunded right away. The cancel is already committed (with refund_owed
 * set), so a refund that fails here is logged and left to the payment-retry job rather than failing
 * the request. Wired into the orders router by the app.
 */
export async function settleOwedRefund(ctx: AppContext, orderId: number, actorId: number): Promise<void> {
  try {
    await refundOwedOrder(ctx, orderId, actorId);
  } catch (error) {
    logEvent("owed_refund_deferred", { request_id: ctx.requestId, order_id: orderId, error: String(error) });
  }
}

/** Every payments route, the Stripe webhook included. */
export const paymentsRouter = createRouter()
  .route("/", stripeWebhookRouter)
  .openapi(listPaymentsRoute, async (c) => {
    const { status, order, ...query } = c.req.valid("query");
    return c.json(await listPayments(ctxOf(c), currentUser(c), c.req.url, pageRequest(query), { status, order }), 200);
  })
  .openapi(getPaymentRoute, async (c) => c.json(toPaymentDto(await getPayment(ctxOf(c), currentUser(c), c.req.valid("param").id)), 200))
  .openapi(payOrderRoute, async (c) => {
    const user = currentUser(c);
    const orderId = c.req.valid("param").order_id;
    const input = c.req.valid("json");
    const key = c.req.valid("header")["idempotency-key"];
    const pay = async (operation?: OperationId) => ({ status: 201, body: toPaymentDto(await payOrder(ctxOf(c), user, orderId, input, operation)) });
    if (!key) return c.json((await pay()).body, 201);
    const response = await idempotent(
      ctxOf(c).db,
      { userId: user.id, scope: "payments.pay", key, payload: { order_id: orderId, ...input }, secret: ctxOf(c).config.jwtSecret },
      pay,
    );
    if (response.replayed) c.header("Idempotent-Replayed", "true");
    // A replay repeats the first answer exactly, whatever its status.
    return c.json(response.body as PaymentDto, response.status as 201);
  })
  .openapi(refundPaymentRoute, async (c) => {
    const { amount, reason } = c.req.valid("json");
    const payment = await refundPayment(ctxOf(c), currentUser(c).id, c.req.valid("param").id, { amountCents: amount, reason });
    return c.json(toPaymentDto(payment), 200);
  });
