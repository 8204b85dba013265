import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { limitPerUser } from "../../lib/rate-limit";
import { bearerSecurity, errorResponses, idParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { assignOrderBody, createOrderBody, orderListItemSchema, orderSchema, orderStatusBody, ordersQuery } from "./orders.schemas";

const tags = ["orders"];

export const listOrdersRoute = createRoute({
  method: "get",
  path: "/api/orders/",
  operationId: "orders_list",
  tags,
  summary: "Orders visible to the caller, newest first",
  description:
    "Clients see their own orders; workers the ones assigned to them plus open (unassigned, pending or paid) orders for services they are qualified for; admins all.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { query: ordersQuery },
  responses: { 200: jsonResponse(pageSchema(orderListItemSchema, "OrderPage"), "A page of orders"), ...errorResponses(400, 401, 404) },
});

export const createOrderRoute = createRoute({
  method: "post",
  path: "/api/orders/create/",
  operationId: "orders_create",
  tags,
  summary: "Order a service (clients only); the price is computed by the server",
  description: "At most 20 orders per client per minute; more → 429 with `Retry-After`.",
  security: bearerSecurity,
  middleware: [authenticated("client"), limitPerUser("orders.create", (env) => env.ORDER_CREATE_LIMITER)] as const,
  request: { body: jsonBody(createOrderBody) },
  responses: { 201: jsonResponse(orderSchema, "The new pending order"), ...errorResponses(400, 401, 403, 413, 415, 429) },
});

export const getOrderRoute = createRoute({
  method: "get",
  path: "/api/orders/{id}/",
  operationId: "orders_retrieve",
  summary: "One order, with its status history",
  description: "For its client, its assigned worker, admins, and qualified workers while it is open. A worker who is not assigned sees the job but not the client's contact data or address. Anyone else gets 404.",
  tags,
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { params: idParams },
  responses: { 200: jsonResponse(orderSchema, "The order with its status history"), ...errorResponses(400, 401, 404) },
});

export const assignOrderRoute = createRoute({
  method: "post",
  path: "/api/orders/{id}/assign/",
  operationId: "orders_assign",
  tags,
  summary: "A qualified worker takes an open order, or an admin assigns one (worker_id)",
  description:
    "Only while the order is pending or paid and has no worker; a paid order moves to in_progress. Of concurrent assigns exactly one succeeds, the others get 409. A worker who is not qualified for the service cannot see the open order (404); an admin naming an unqualified or inactive worker gets 400 on worker_id.",
  security: bearerSecurity,
  middleware: [authenticated("worker", "admin")] as const,
  request: { params: idParams, body: jsonBody(assignOrderBody) },
  responses: { 200: jsonResponse(orderSchema, "The assigned order"), ...errorResponses(400, 401, 403, 404, 409, 415) },
});

export const changeOrderStatusRoute = createRoute({
  method: "post",
  path: "/api/orders/{id}/status/",
  operationId: "orders_change_status",
  tags,
  summary: "Move the order along the status machine (a history entry is written)",
  description:
    "Allowed: pending→canceled (client, admin), paid→in_progress (assigned worker, admin), paid→canceled (client, admin; refund owed), in_progress→completed (assigned worker, admin), in_progress→canceled (admin; refund owed). pending→paid happens only through a payment. Anything else → 409 invalid_transition.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { params: idParams, body: jsonBody(orderStatusBody) },
  responses: { 201: jsonResponse(orderSchema, "The order after the change"), ...errorResponses(400, 401, 403, 404, 409, 415) },
});
