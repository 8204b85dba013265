import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { edgeCached, invalidatesCatalog, notModifiedResponse } from "../../lib/edge-cache";
import { bearerSecurity, errorResponses, idParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { orderReviewSchema, publicReviewSchema, reviewCreateBody, reviewHideBody, reviewsQuery } from "./reviews.schemas";

const tags = ["reviews"];

export const createReviewRoute = createRoute({
  method: "post",
  path: "/api/orders/{id}/reviews/",
  operationId: "orders_reviews_create",
  tags,
  summary: "Review the other party of a completed order (double-blind)",
  description:
    "The order's client reviews its worker, its assigned worker reviews the client: once per party, only once the order is completed and within REVIEW_WINDOW_DAYS (default 14) of completion. The review stays hidden from the other party and the public until both have reviewed (then both are published at once) or the window closes. Anyone else → 404; a second review → 409 `already_reviewed`; not completed → 409 `order_not_completed`; window closed → 409 `review_window_closed`.",
  security: bearerSecurity,
  middleware: [authenticated("client", "worker"), invalidatesCatalog] as const,
  request: { params: idParams, body: jsonBody(reviewCreateBody) },
  responses: { 201: jsonResponse(orderReviewSchema, "The review, as its author sees it"), ...errorResponses(400, 401, 403, 404, 409, 415) },
});

export const listOrderReviewsRoute = createRoute({
  method: "get",
  path: "/api/orders/{id}/reviews/",
  operationId: "orders_reviews_list",
  tags,
  summary: "The reviews of an order (its parties and admins)",
  description:
    "The author sees their own review; the other party sees a pending review exists (status, no rating or comment) until it is published; a hidden review only for its author and admins. Anyone else → 404.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { params: idParams, query: reviewsQuery },
  responses: { 200: jsonResponse(pageSchema(orderReviewSchema, "OrderReviewPage"), "A page of the order's reviews"), ...errorResponses(400, 401, 404) },
});

export const listWorkerReviewsRoute = createRoute({
  method: "get",
  path: "/api/workers/{id}/reviews/",
  operationId: "workers_reviews_list",
  tags,
  summary: "A worker's published reviews, newest first (public)",
  description: "Clients' reviews of the worker (id = profile id) once published, without hidden ones. Anonymous reads are cached at the edge.",
  middleware: [edgeCached(reviewsQuery)] as const,
  request: { params: idParams, query: reviewsQuery },
  responses: {
    200: jsonResponse(pageSchema(publicReviewSchema, "PublicReviewPage"), "A page of published reviews"),
    ...notModifiedResponse,
    ...errorResponses(400, 404),
  },
});

export const hideReviewRoute = createRoute({
  method: "post",
  path: "/api/reviews/{id}/hide/",
  operationId: "reviews_hide",
  tags,
  summary: "Hide a review (admins): it leaves every view, ratings are recomputed, its author is told",
  description: "Hiding a review that is already hidden → 409.",
  security: bearerSecurity,
  middleware: [authenticated("admin"), invalidatesCatalog] as const,
  request: { params: idParams, body: jsonBody(reviewHideBody) },
  responses: { 200: jsonResponse(orderReviewSchema, "The hidden review"), ...errorResponses(400, 401, 403, 404, 409, 415) },
});
