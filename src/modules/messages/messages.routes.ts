import { createRoute, z } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { bearerSecurity, errorResponses, idSchema, jsonBody, jsonResponse } from "../../lib/openapi";
import { limitPerUser } from "../../lib/rate-limit";
import { messagePageSchema, messageSchema, messagesQuery, postMessageBody, readMessagesBody, readStateSchema } from "./messages.schemas";

const tags = ["messages"];

const orderParams = z.object({
  id: idSchema.openapi({ param: { name: "id", in: "path" }, type: "integer", example: 1, description: "The order's id" }),
});

const WHO =
  "For the order's client, its assigned worker (once assigned) and admins; anyone else gets 404.";

export const listMessagesRoute = createRoute({
  method: "get",
  path: "/api/orders/{id}/messages/",
  operationId: "orders_messages_list",
  tags,
  summary: "The order's conversation, oldest first, by cursor",
  description:
    `${WHO} Without a cursor: the newest page. \`?after=<id>\` (\`0\`: from the start) and \`?before=<id>\` page from a message; ` +
    "`next` / `previous` link the neighbouring pages (null at either end). Each page is one database round trip, however long the conversation.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { params: orderParams, query: messagesQuery },
  responses: { 200: jsonResponse(messagePageSchema, "A page of messages"), ...errorResponses(400, 401, 404) },
});

export const postMessageRoute = createRoute({
  method: "post",
  path: "/api/orders/{id}/messages/",
  operationId: "orders_messages_create",
  tags,
  summary: "Post a message to the order's conversation",
  description:
    `${WHO} Admins post as the operator. Pushed live (\`order_message\`) to the other participants and to the sender's other sockets, and kept in their inboxes. ` +
    "A completed or canceled order accepts messages for MESSAGE_WINDOW_DAYS (default 30) after it ended, then 409 `conversation_closed`. " +
    "At most 30 messages per user per minute; more → 429 with `Retry-After`.",
  security: bearerSecurity,
  middleware: [authenticated(), limitPerUser("messages.post", (env) => env.MESSAGE_POST_LIMITER)] as const,
  request: { params: orderParams, body: jsonBody(postMessageBody) },
  responses: { 201: jsonResponse(messageSchema, "The message as posted"), ...errorResponses(400, 401, 404, 409, 413, 415, 429) },
});

export const readMessagesRoute = createRoute({
  method: "post",
  path: "/api/orders/{id}/messages/read/",
  operationId: "orders_messages_read",
  tags,
  summary: "Mark the conversation read up to a message",
  description:
    `${WHO} The read mark only moves forward. The caller's other sockets get an \`order_messages_read\` push with the new state.`,
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { params: orderParams, body: jsonBody(readMessagesBody) },
  responses: { 200: jsonResponse(readStateSchema, "The caller's read state"), ...errorResponses(400, 401, 404, 415) },
});
