import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import { BOOKMARK_HEADER } from "./d1-bookmark";

type Document = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;
type Operation = NonNullable<NonNullable<Document["paths"]>[string]["get"]>;

const TAGS: { name: string; description: string }[] = [
  { name: "auth", description: "Registration, login, token refresh and logout" },
  { name: "users", description: "Accounts: one's own profile; every account for admins" },
  { name: "workers", description: "Worker profiles: the public directory and a worker's own profile" },
  { name: "categories", description: "Service categories (written by admins)" },
  { name: "services", description: "The service catalog: offered by workers, read by anyone" },
  { name: "orders", description: "Orders and their status machine" },
  { name: "messages", description: "The conversation of an order between its client, its worker and the operator" },
  { name: "payments", description: "Paying orders, refunds and the Stripe webhook" },
  { name: "payouts", description: "Escrow releases to workers: payout accounts (Stripe Connect), earnings, payouts" },
  { name: "notifications", description: "The inbox and its live WebSocket" },
  { name: "reviews", description: "Double-blind reviews after completed orders, their moderation, and the ratings computed from them" },
  { name: "reports", description: "Daily payment reports (admins)" },
  { name: "admin", description: "Operations: running scheduled jobs, failed jobs (admins)" },
  { name: "health", description: "Liveness and dependency checks" },
];

const header = (description: string) => ({ description, schema: { type: "string" as const } });

/** Headers and parameters the app's middleware adds to every operation, declared once. */
const COMPONENTS = {
  headers: {
    RequestId: header("This request's id, also in the server's log line and in 500 bodies."),
    D1Bookmark: header("The database session's bookmark: send it back as X-D1-Bookmark to read your own writes."),
    RetryAfter: header("Seconds until the limit lets the caller try again."),
    ETag: header("The representation's version, for If-None-Match."),
  },
  parameters: {
    D1Bookmark: {
      name: BOOKMARK_HEADER,
      in: "header" as const,
      required: false,
      description: "A bookmark from an earlier response: this request reads data at least as new (a malformed one → 400).",
      schema: { type: "string" as const, maxLength: 256 },
    },
    IfNoneMatch: {
      name: "If-None-Match",
      in: "header" as const,
      required: false,
      description: "An ETag from an earlier response: 304 without a body while it is still current.",
      schema: { type: "string" as const },
    },
  },
};

const ref = (kind: "headers" | "parameters", name: string) => ({ $ref: `#/components/${kind}/${name}` });
const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** What every operation really has because of the app-wide middleware (see app.ts). */
function completeOperation(op: Operation): void {
  op.parameters = [...(op.parameters ?? []), ref("parameters", "D1Bookmark")];
  op.responses ??= {};
  const responses = op.responses;
  responses["400"] ??= errorResponse("Malformed request (e.g. an invalid X-D1-Bookmark)");
  // Every route but the liveness probe reads the database: a transient database error is a 503 with Retry-After.
  if (op.operationId !== "health_live") responses["503"] ??= errorResponse("A dependency (the database) is unavailable; retry after Retry-After");
  if (op.requestBody) {
    responses["413"] ??= errorResponse("Request body too large");
    responses["415"] ??= errorResponse("Body is not JSON");
  }
  if (responses["304"]) op.parameters.push(ref("parameters", "IfNoneMatch"));
  for (const [status, response] of Object.entries(responses)) {
    if ("$ref" in response) continue;
    response.headers = {
      ...response.headers,
      "X-Request-Id": ref("headers", "RequestId"),
      [BOOKMARK_HEADER]: ref("headers", "D1Bookmark"),
      ...(status === "429" || status === "503" ? { "Retry-After": ref("headers", "RetryAfter") } : {}),
      ...(responses["304"] && (status === "200" || status === "304") ? { ETag: ref("headers", "ETag") } : {}),
    };
  }
}

/**
 * The served document: the routes' own definitions, plus what the app adds to every operation,
 * the tags, the default security (optional bearer: public routes accept a token and ignore a bad one)
 * and where the API is served.
 */
export function apiDocument(app: OpenAPIHono<AppEnv>): Document {
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Service Marketplace API",
      version: "1.0.0",
      description: "Clients order services from workers; admins run the marketplace.",
      contact: { name: "Service Marketplace API maintainers" },
      license: { name: "Proprietary" },
    },
    servers: [{ url: "/", description: "The deployment serving this document" }],
    security: [{}, { bearerAuth: [] }],
    tags: TAGS,
  });
  doc.components = { ...doc.components, headers: COMPONENTS.headers, parameters: COMPONENTS.parameters };
  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of ["get", "put", "post", "patch", "delete"] as const) {
      const op = item[method];
      if (op) completeOperation(op);
    }
  }
  return doc;
}
