import { createRouter } from "../../lib/openapi";
import { depsOf } from "./payment-deps";
import { stripeSettings, stripeWebhookRoute } from "./payments.routes";
import { applyStripeEvent, verifyStripeEvent } from "./stripe-webhook.service";

export const stripeWebhookRouter = createRouter().openapi(stripeWebhookRoute, async (c) => {
  const stripe = stripeSettings(c.get("config"));
  const event = await verifyStripeEvent(await c.req.text(), c.req.header("Stripe-Signature"), stripe.webhookSecret);
  const outcome = await applyStripeEvent(depsOf(c), event);
  return c.json({ received: true, duplicate: outcome === "duplicate" }, 200);
});
