import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { currentUser, unauthenticated, userForToken } from "../lib/auth";
import { ApiError, forbidden } from "../lib/errors";
import { createRouter, errorResponses, errorSchema } from "../lib/openapi";
import { CloseCode, notificationsStub } from "../modules/notifications/user-sockets";
import { MAX_SOCKETS_PER_USER, MAX_TOKEN_LENGTH, TOKEN_EXPIRES_HEADER, USER_ID_HEADER } from "./user-notifications";

const requireUpgrade: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("upgrade_required", "This endpoint only accepts WebSocket upgrades.", { Upgrade: "websocket" });
  }
  await next();
};

/**
 * Browsers cannot set headers on a WebSocket handshake, so the access token comes in `?token=`.
 * Its expiry goes to the socket, which closes when it passes.
 */
const authenticateQueryToken: MiddlewareHandler<AppEnv & { Variables: { tokenExpiresAt: number } }> = async (c, next) => {
  const token = c.req.query("token");
  if (!token) throw unauthenticated("Authentication credentials were not provided.");
  const user = await userForToken(c, token);
  if (!user) throw unauthenticated("Given token not valid for any token type");
  c.get("ctx").actor = { id: user.id, role: user.role };
  c.set("tokenExpiresAt", user.expiresAt);
  await next();
};

/**
 * WebSockets are not covered by CORS, so a browser page from any site could open one with a
 * token it holds: only allow-listed origins (plus our own in development). No Origin = not a browser.
 */
const allowedOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header("Origin");
  const { config } = c.get("ctx");
  const ownOrigin = config.environment === "development" ? new URL(c.req.url).origin : null;
  if (origin && origin !== ownOrigin && !config.allowedOrigins.includes(origin)) {
    throw forbidden("This origin may not open notification sockets.");
  }
  await next();
};

const wsQuery = z.object({
  token: z.string().openapi({ description: "Access JWT (checked before the query is validated)" }),
  since: z
    .string()
    .regex(/^\d{1,15}$/, "A valid non-negative integer is required.")
    .transform(Number)
    .optional()
    .openapi({ type: "integer", minimum: 0, description: "Replay inbox rows with a greater id, in order, first" }),
});

const notificationsSocketRoute = createRoute({
  method: "get",
  path: "/ws/notifications/",
  operationId: "notifications_socket",
  tags: ["notifications"],
  summary: "Live notifications over a WebSocket (send `Upgrade: websocket`)",
  description:
    'Messages are JSON: `{"type":"connection_established"}` on connect, `{"type":"pong"}` for each ' +
    '`{"type":"ping"}`, and one Notification (with `id`) per push. Delivery is at least once: clients dedupe by `id`.\n\n' +
    "A socket lives no longer than its session. It closes with code " +
    `${CloseCode.TOKEN_EXPIRED} when the access token it was opened with expires, unless the client first sends a fresh ` +
    'access token of the same user: `{"type":"auth","token":"<access JWT>"}` → `{"type":"auth_ok","exp":<epoch seconds>}` ' +
    '(an invalid, expired or other user\'s token → `{"type":"auth_error","detail":…}`, and the socket keeps its old expiry). ' +
    `Logout, a password or role change and deactivation close all the user's sockets with ${CloseCode.SESSION_ENDED}. ` +
    `A user may hold ${MAX_SOCKETS_PER_USER} open sockets; opening another closes the oldest with ${CloseCode.TOO_MANY_SOCKETS}.`,
  "x-websocket": {
    description: "The socket's protocol: JSON text messages each way, and the close codes the server sends.",
    clientMessages: {
      ping: { type: "object", required: ["type"], properties: { type: { const: "ping" } } },
      auth: { type: "object", required: ["type", "token"], properties: { type: { const: "auth" }, token: { type: "string", maxLength: MAX_TOKEN_LENGTH } } },
    },
    serverMessages: {
      connection_established: { type: "object", required: ["type"], properties: { type: { const: "connection_established" } } },
      pong: { type: "object", required: ["type"], properties: { type: { const: "pong" } } },
      auth_ok: { type: "object", required: ["type", "exp"], properties: { type: { const: "auth_ok" }, exp: { type: "integer" } } },
      auth_error: { type: "object", required: ["type", "detail"], properties: { type: { const: "auth_error" }, detail: { type: "string" } } },
      notification: { $ref: "#/components/schemas/Notification" },
    },
    closeCodes: {
      [CloseCode.SESSION_ENDED]: "The user's sessions ended (logout, password or role change, deactivation)",
      [CloseCode.TOKEN_EXPIRED]: "The access token expired and no fresh one came over the socket",
      [CloseCode.TOO_MANY_SOCKETS]: `The user opened more than ${MAX_SOCKETS_PER_USER} sockets; this was the oldest`,
    },
  },
  middleware: [requireUpgrade, authenticateQueryToken, allowedOrigin] as const,
  request: { query: wsQuery },
  responses: {
    101: { description: "Switching Protocols: the socket is open" },
    ...errorResponses(400, 401, 403),
    426: { description: "Not a WebSocket upgrade request", content: { "application/json": { schema: errorSchema } } },
  },
});

export const notificationsSocketRouter = createRouter().openapi(notificationsSocketRoute, async (c) => {
  const userId = currentUser(c).id;
  const { since } = c.req.valid("query");
  const target = new URL("https://user-notifications/connect");
  if (since !== undefined) target.searchParams.set("since", String(since));
  return notificationsStub(c.env.USER_NOTIFICATIONS, userId).fetch(target, {
    headers: { Upgrade: "websocket", [USER_ID_HEADER]: String(userId), [TOKEN_EXPIRES_HEADER]: String(c.get("tokenExpiresAt")) },
  });
});
