import { ctxOf } from "../../context";
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Config } from "../../env";
import type { AppEnv } from "../../context";
import { authenticated } from "../../lib/auth";
import { ApiError } from "../../lib/errors";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import {
  idempotencyHeaders,
  orderIdParams,
  payBody,
  paymentIdParams,
  paymentSchema,
  paymentsQuery,
  refundBody,
} from "./payments.schemas";

const tags = ["payments"];

export const listPaymentsRoute = createRoute({
  method: "get",
  path: "/api/payments/",
  operationId: "payments_list",
  tags,
  summary: "Payments the caller may see (client: own; worker: of orders assigned to them; admin: all), newest first",
  description: "Filterable by status and order.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { query: paymentsQuery },
  responses: { 200: jsonResponse(pageSchema(paymentSchema, "PaymentPage"), "A page of payments"), ...errorResponses(400, 401, 404) },
});

export const getPaymentRoute = createRoute({
  method: "get",
  path: "/api/payments/{id}/",
  operationId: "payments_retrieve",
  tags,
  summary: "One payment (payer, assigned worker or admin)",
  description: "Anyone else gets 404.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { params: paymentIdParams },
  responses: { 200: jsonResponse(paymentSchema, "The payment"), ...errorResponses(400, 401, 404) },
});

export const payOrderRoute = createRoute({
  method: "post",
  path: "/api/payments/order/{order_id}/pay/",
  operationId: "payments_pay",
  tags,
  summary: "Pay a pending order (the order's client only)",
  description:
    "Only clients may pay (workers and admins → 403); another client's order → 404. The order must be pending (else 409). " +
    'Only payment_method "card" is supported; other methods → 400. A decline answers 201 with status "failed" and leaves the ' +
    "order pending. With an Idempotency-Key, the same key and body replay the first response; a different body → 422; " +
    "while the first request still runs → 409.",
  security: bearerSecurity,
  middleware: [authenticated("client")] as const,
  request: { params: orderIdParams, headers: idempotencyHeaders, body: jsonBody(payBody) },
  responses: {
    201: jsonResponse(paymentSchema, "The payment: completed, or failed with failure_code"),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

export const refundPaymentRoute = createRoute({
  method: "post",
  path: "/api/payments/{id}/refund/",
  operationId: "payments_refund",
  tags,
  summary: "Refund all or part of what is left of a payment (admin)",
  description:
    "Only completed or partially refunded payments (else 409). amount defaults to what is left; more → 400. " +
    "A gateway refusal → 400 refund_failed with nothing changed. A full refund of an order that isn't completed cancels it.",
  security: bearerSecurity,
  middleware: [authenticated("admin")] as const,
  request: { params: paymentIdParams, body: jsonBody(refundBody) },
  responses: { 200: jsonResponse(paymentSchema, "The payment after the refund"), ...errorResponses(400, 401, 403, 404, 409, 415) },
});

/** Stripe's settings, or 503: without them there is nothing to verify an event with. */
export function stripeSettings(config: Config): NonNullable<Config["stripe"]> {
  if (!config.stripe) throw new ApiError("service_unavailable", "Stripe is not configured.");
  return config.stripe;
}

/** Checked before the body is validated, so an unconfigured webhook is a 503 whatever it is sent. */
const stripeConfigured: MiddlewareHandler<AppEnv> = async (c, next) => {
  stripeSettings(ctxOf(c).config);
  await next();
};

export const stripeWebhookRoute = createRoute({
  method: "post",
  path: "/api/payments/webhooks/stripe/",
  operationId: "payments_stripe_webhook",
  tags,
  summary: "Stripe events (signature-verified with Stripe-Signature; each event applied once)",
  description:
    "Handles payment_intent.succeeded, payment_intent.payment_failed, charge.refund.updated and refund.updated; " +
    "other event types are acknowledged and ignored. The signature is checked over the raw body, with the webhook secret.",
  security: [{ stripeSignature: [] }],
  middleware: [stripeConfigured] as const,
  request: {
    body: jsonBody(
      z
        .looseObject({ id: z.string(), type: z.string(), data: z.looseObject({ object: z.looseObject({}) }) })
        .openapi("StripeEvent", { description: "A Stripe Event object, as Stripe sends it" }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ received: z.boolean(), duplicate: z.boolean() }).openapi("StripeWebhookAck"), "Event accepted"),
    ...errorResponses(400, 503),
  },
});
