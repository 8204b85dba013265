import { swaggerUI } from "@hono/swagger-ui";
import type { MiddlewareHandler } from "hono";
import { createSessionDb, type SessionDb } from "./db/client";
import { createContext, type AppContext } from "./context";
import type { AppEnv } from "./context";
import { resolveUser } from "./lib/auth";
import { allowedMethods } from "./lib/allowed-methods";
import { corsMiddleware } from "./lib/cors";
import { setHeader } from "./lib/response-headers";
import { limitBody } from "./lib/body-limit";
import { apiDocument } from "./lib/openapi-document";
import { wellFormedJson } from "./lib/well-formed-json";
import { BOOKMARK_HEADER, sessionConstraint } from "./lib/d1-bookmark";
import { handleError } from "./lib/error-handler";
import { logRequest } from "./lib/log";
import { createRouter } from "./lib/openapi";
import { accountsRouter } from "./modules/accounts/accounts.router";
import { adminRouter } from "./modules/admin/admin.router";
import { catalogRouter } from "./modules/catalog/catalog.router";
import { healthRouter } from "./modules/health/health.router";
import { createOrdersRouter } from "./modules/orders/orders.router";
import { paymentsRouter, settleOwedRefund } from "./modules/payments/payments.router";
import { messagesRouter } from "./modules/messages/messages.router";
import { payoutsRouter } from "./modules/payouts/payouts.router";
import { notificationsRouter } from "./modules/notifications/notifications.router";
import { notificationsSocketRouter } from "./realtime/ws-route";
import { reportsRouter } from "./modules/reports/reports.router";
import { reviewsRouter } from "./modules/reviews/reviews.router";
import { workersRouter } from "./modules/workers/workers.router";

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The request's context (id, config, database session with a round-trip counter, outbox) and one
 * JSON log line. The D1 session is opened on the first query, so a route that never queries (health,
 * an edge-cache hit, a 404) pays nothing for it; the bookmark header is still checked up front.
 */
const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  const requestId = crypto.randomUUID();
  const counter = { count: 0 };
  let session: SessionDb | undefined;
  let ctx: AppContext | undefined;
  try {
    const constraint = sessionConstraint(c.req.method, c.req.header(BOOKMARK_HEADER));
    const openSession = () => {
      session = createSessionDb(c.env, counter, constraint);
      return session.db;
    };
    ctx = createContext(c.env, openSession, requestId, (promise) => c.executionCtx.waitUntil(promise));
    c.set("ctx", ctx);
    await next();
  } finally {
    setHeader(c, "X-Request-Id", requestId);
    const bookmark = session?.bookmark();
    if (bookmark) setHeader(c, BOOKMARK_HEADER, bookmark);
    if (ctx?.config.exposeQueryCount) setHeader(c, "X-DB-Queries", String(counter.count));
    logRequest({
      request_id: requestId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      duration_ms: Date.now() - started,
      user_id: ctx?.actor?.id,
      db_queries: counter.count,
    });
  }
};

/** Built once per isolate; the allow-list is read from the request's config. */
const corsHandler = corsMiddleware<AppEnv>({
  origin: (origin, c) => (origin && c.get("ctx").config.allowedOrigins.includes(origin) ? origin : null),
  allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-D1-Bookmark"],
  exposeHeaders: ["X-Request-Id", "Retry-After", "X-D1-Bookmark"],
  allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
  maxAge: 600,
});

/** CORS for allowed origins; an OPTIONS that is not a preflight is answered by the app (its Allow header). */
const corsForAllowedOrigins: MiddlewareHandler<AppEnv> = (c, next) =>
  c.req.method === "OPTIONS" && !c.req.header("Access-Control-Request-Method") ? next() : corsHandler(c, next);

/** What a valid token was shown is for that caller only: no browser, proxy or edge may keep it. */
const privateWhenAuthenticated: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.get("ctx").actor) setHeader(c, "Cache-Control", "private, no-store");
};

export function createApp() {
  const app = createRouter();

  app.use("*", requestContext);
  app.use("*", corsForAllowedOrigins);
  app.use("*", limitBody(MAX_BODY_BYTES));
  app.use("*", wellFormedJson);
  app.use("*", resolveUser);
  app.use("*", privateWhenAuthenticated);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "stripeSignature", {
    type: "apiKey",
    in: "header",
    name: "Stripe-Signature",
    description: "Stripe's HMAC signature of the raw body with the webhook secret (only Stripe can send it)",
  });

  app.route("/", healthRouter);
  app.route("/", accountsRouter);
  app.route("/", workersRouter);
  app.route("/", reportsRouter);
  app.route("/", adminRouter);
  app.route("/", notificationsRouter);
  app.route("/", notificationsSocketRouter);
  app.route("/", catalogRouter);
  app.route("/", createOrdersRouter({ settleOwedRefund }));
  app.route("/", paymentsRouter);
  app.route("/", reviewsRouter);
  app.route("/", messagesRouter);
  app.route("/", payoutsRouter);

  let document: ReturnType<typeof apiDocument> | undefined;
  app.get("/api/schema/", (c) => {
    document ??= apiDocument(app);
    return c.json(document);
  });
  // Docs pages load their scripts from the Worker's own static assets, so they work offline.
  app.get("/api/schema/swagger-ui/", swaggerUI({ url: "/api/schema/", baseUrl: "/vendor" }));
  app.get("/api/schema/redoc/", (c) =>
    c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service Marketplace API · ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/api/schema/"></redoc><script src="/vendor/redoc/redoc.standalone.js"></script></body></html>`),
  );

  // A known path asked with a method it doesn't serve → 405 with Allow; a plain OPTIONS (no CORS preflight) → its methods.
  const methodsOf = allowedMethods(app.routes);
  app.notFound((c) => {
    const allowed = methodsOf(new URL(c.req.url).pathname);
    if (!allowed) return c.json({ detail: "Not found.", code: "not_found" }, 404);
    c.header("Allow", allowed.join(", "));
    if (c.req.method === "OPTIONS") return c.body(null, 204);
    return c.json({ detail: `Method "${c.req.method}" not allowed.`, code: "method_not_allowed" }, 405);
  });
  app.onError(handleError);
  return app;
}
