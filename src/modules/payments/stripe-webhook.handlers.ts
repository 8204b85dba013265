import { ApiError } from "../../lib/errors";
import { createRouter } from "../../lib/openapi";
import { depsOf } from "./payment-deps";
import { stripeWebhookRoute } from "./payments.routes";
import { applyStripeEvent, verifyStripeEvent } from "./stripe-webhook.service";

export const stripeWebhookRouter = createRouter().openapi(stripeWebhookRoute, async (c) => {
  const stripe = c.get("config").stripe;
  if (!stripe) throw new ApiError(503, "service_unavailable", "Stripe is not configured.");
  const event = await verifyStripeEvent(await c.req.text(), c.req.header("Stripe-Signature"), stripe.webhookSecret);
  const outcome = await applyStripeEvent(depsOf(c), event);
  return c.json({ received: true, duplicate: outcome === "duplicate" }, 200);
});
