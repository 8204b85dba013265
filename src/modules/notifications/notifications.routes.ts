import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { bearerSecurity, errorResponses, idParams, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { inboxQuery, notificationSchema, readAllSchema } from "./notifications.schemas";

const tags = ["notifications"];

export const listInboxRoute = createRoute({
  method: "get",
  path: "/api/notifications/",
  operationId: "notifications_list",
  tags,
  summary: "The caller's inbox, newest first",
  description: "Only the caller's own notifications, paginated.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { query: inboxQuery },
  responses: {
    200: jsonResponse(pageSchema(notificationSchema, "NotificationPage"), "A page of notifications"),
    ...errorResponses(400, 401, 404),
  },
});

export const markReadRoute = createRoute({
  method: "post",
  path: "/api/notifications/{id}/read/",
  operationId: "notifications_read",
  tags,
  summary: "Mark one of the caller's notifications read",
  description: "Another user's notification is a 404.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { params: idParams },
  responses: { 200: jsonResponse(notificationSchema, "The notification, now read"), ...errorResponses(400, 401, 404) },
});

export const markAllReadRoute = createRoute({
  method: "post",
  path: "/api/notifications/read-all/",
  operationId: "notifications_read_all",
  tags,
  summary: "Mark all of the caller's notifications read",
  description: "Marks every unread notification of the caller read.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  responses: { 200: jsonResponse(readAllSchema, "How many were unread before"), ...errorResponses(401) },
});
