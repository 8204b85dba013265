import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { inject } from "vitest";
import { createApp } from "../../src/app";
import type { Bindings } from "../../src/env";
import { StripeGateway } from "../../src/modules/payments/gateways/stripe-gateway";
import { caller } from "../helpers/http";

const STRIPE_SECRET_KEY = "sk_test_fake_marketplace";
const STRIPE_WEBHOOK_SECRET = "whsec_test_marketplace";

export const fakeStripeConfig = () => ({ secretKey: STRIPE_SECRET_KEY, host: "127.0.0.1", port: inject("fakeStripePort"), protocol: "http" as const });

/** Our gateway aimed at the fake Stripe server. */
export const stripeGateway = () => new StripeGateway(fakeStripeConfig());

/** A plain SDK client on the fake server, for looking at what "Stripe" holds and for signing webhooks. */
export const stripeClient = () => {
  const { secretKey, ...connection } = fakeStripeConfig();
  return new Stripe(secretKey, { ...connection, httpClient: Stripe.createFetchHttpClient(), maxNetworkRetries: 0 });
};

/**
 * The same Worker app, deployed with PAYMENT_GATEWAY=stripe and Stripe secrets pointing at the fake
 * server. Bindings are fixed per test run, so these tests hand the app its env the way the Workers
 * runtime does (`fetch(request, env, ctx)`) instead of adding any switch to production code.
 */
const stripeEnv: Bindings = {
  ...env,
  PAYMENT_GATEWAY: "stripe",
  STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET,
  STRIPE_API_HOST: "127.0.0.1",
  STRIPE_API_PORT: String(inject("fakeStripePort")),
  STRIPE_API_PROTOCOL: "http",
};
const app = createApp();

export const callStripeApp = caller(async (request) => {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, stripeEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
});

/** Delivers `event` to our webhook endpoint, signed as Stripe would sign it (or with another secret). */
export async function deliverWebhook(event: object, secret = STRIPE_WEBHOOK_SECRET) {
  const payload = JSON.stringify(event);
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, cryptoProvider: Stripe.createSubtleCryptoProvider() });
  return callStripeApp("POST", "/api/payments/webhooks/stripe/", { body: payload, headers: { "Stripe-Signature": signature } });
}

let eventSequence = 0;
export const stripeEvent = (type: string, object: object) => ({
  id: `evt_test_${Date.now().toString(36)}_${eventSequence++}`,
  object: "event",
  type,
  api_version: "2025-01-01",
  created: Math.floor(Date.now() / 1000),
  data: { object },
});

/** Makes the fake Stripe answer its next request (to `path`, if given) with `status`. */
export const failNextStripeRequest = (status: number, path?: string) =>
  fetch(`http://127.0.0.1:${inject("fakeStripePort")}/__control/fail-next`, { method: "POST", body: `status=${status}${path ? `&path=${encodeURIComponent(path)}` : ""}` });
