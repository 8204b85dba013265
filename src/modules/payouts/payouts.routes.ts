import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { bearerSecurity, errorResponses, idParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { orderSchema } from "../orders/orders.schemas";
import {
  disputeBody,
  earningsSchema,
  payoutAccountOnboardingSchema,
  payoutAccountSchema,
  payoutSchema,
  payoutsQuery,
  resolveBody,
  sandboxAccountParams,
} from "./payouts.schemas";

const tags = ["payouts"];

export const createPayoutAccountRoute = createRoute({
  method: "post",
  path: "/api/workers/me/payout-account/",
  operationId: "workers_me_payout_account_create",
  tags,
  summary: "Create the calling worker's payout account (if needed) and get an onboarding link",
  description:
    "Stripe: an Express connected account and an Account Link (a new link on every call, as links expire). " +
    "Sandbox: a local account and a link that enables it at once. No body.",
  security: bearerSecurity,
  middleware: [authenticated("worker")] as const,
  responses: { 201: jsonResponse(payoutAccountOnboardingSchema, "The account and where to onboard"), ...errorResponses(401, 403) },
});

export const getPayoutAccountRoute = createRoute({
  method: "get",
  path: "/api/workers/me/payout-account/",
  operationId: "workers_me_payout_account_retrieve",
  tags,
  summary: "The calling worker's payout account: pending, enabled or restricted, with what is still required",
  description: "Kept current by Stripe's account.updated webhook. 404 before one was created.",
  security: bearerSecurity,
  middleware: [authenticated("worker")] as const,
  responses: { 200: jsonResponse(payoutAccountSchema, "The payout account"), ...errorResponses(401, 403, 404) },
});

export const sandboxOnboardRoute = createRoute({
  method: "get",
  path: "/api/payouts/sandbox/onboard/{account_id}/",
  operationId: "payouts_sandbox_onboard",
  tags,
  summary: "Sandbox onboarding link: enables the sandbox payout account at once",
  description:
    "What the sandbox's onboarding_url points to (the unguessable account id is the capability, like Stripe's hosted link). " +
    "Waiting releases of the worker go out right away. Unknown or non-sandbox accounts → 404.",
  request: { params: sandboxAccountParams },
  responses: { 200: jsonResponse(payoutAccountSchema, "The enabled account"), ...errorResponses(400, 404) },
});

export const earningsRoute = createRoute({
  method: "get",
  path: "/api/workers/me/earnings/",
  operationId: "workers_me_earnings",
  tags,
  summary: "The calling worker's money: held, available, paid out",
  description: "The transfers themselves are listed by GET /api/payouts/.",
  security: bearerSecurity,
  middleware: [authenticated("worker")] as const,
  responses: { 200: jsonResponse(earningsSchema, "Totals"), ...errorResponses(401, 403) },
});

export const listPayoutsRoute = createRoute({
  method: "get",
  path: "/api/payouts/",
  operationId: "payouts_list",
  tags,
  summary: "Payouts: worker: own; admin: all (newest first)",
  description: "One entry per order whose money is due to or was transferred to its worker. Clients → 403.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { query: payoutsQuery },
  responses: { 200: jsonResponse(pageSchema(payoutSchema, "PayoutPage"), "A page of payouts"), ...errorResponses(400, 401, 403, 404) },
});

export const confirmOrderRoute = createRoute({
  method: "post",
  path: "/api/orders/{id}/confirm/",
  operationId: "orders_confirm",
  tags: ["orders"],
  summary: "The client marks a completed order received: its money is released to the worker now",
  description:
    "Only the order's client (others who see the order → 403; anyone else → 404), only while the money is held after completion (else 409). " +
    "A worker without an enabled payout account: the escrow waits in awaiting_account. No body.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { params: idParams },
  responses: { 200: jsonResponse(orderSchema, "The order with its escrow"), ...errorResponses(400, 401, 403, 404, 409) },
});

export const disputeOrderRoute = createRoute({
  method: "post",
  path: "/api/orders/{id}/dispute/",
  operationId: "orders_dispute",
  tags: ["orders"],
  summary: "The client disputes an order before its money is released: the release pauses until an admin resolves it",
  description:
    "Only the order's client, once work started (in_progress or completed) and before release_at; once per order (else 409). " +
    "Both parties and every admin are notified. An open dispute escalates to the admins after DISPUTE_ESCALATION_HOURS.",
  security: bearerSecurity,
  middleware: [authenticated("client")] as const,
  request: { params: idParams, body: jsonBody(disputeBody) },
  responses: { 201: jsonResponse(orderSchema, "The order with its dispute"), ...errorResponses(400, 401, 403, 404, 409, 415) },
});

export const resolveDisputeRoute = createRoute({
  method: "post",
  path: "/api/orders/{id}/dispute/resolve/",
  operationId: "orders_dispute_resolve",
  tags: ["orders"],
  summary: "An admin resolves a dispute: release (worker paid) or refund (all, or an amount; the rest goes to the worker)",
  description:
    "Fees are recomputed on what is kept. A gateway refusal of the refund → 400 refund_failed with the dispute still open. No open dispute → 409.",
  security: bearerSecurity,
  middleware: [authenticated("admin")] as const,
  request: { params: idParams, body: jsonBody(resolveBody) },
  responses: { 200: jsonResponse(orderSchema, "The order after the resolution"), ...errorResponses(400, 401, 403, 404, 409, 415) },
});
