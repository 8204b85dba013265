import { ctxOf } from "../../context";
import { createRouter } from "../../lib/openapi";
import { stripeSettings, stripeWebhookRoute } from "./payments.routes";
import { applyStripeEvent, verifyStripeEvent } from "./stripe-webhook.service";

export const stripeWebhookRouter = createRouter().openapi(stripeWebhookRoute, async (c) => {
  const stripe = stripeSettings(ctxOf(c).config);
  const event = await verifyStripeEvent(await c.req.text(), c.req.header("Stripe-Signature"), stripe.webhookSecret);
  const outcome = await applyStripeEvent(ctxOf(c), event);
  return c.json({ received: true, duplicate: outcome === "duplicate" }, 200);
});
