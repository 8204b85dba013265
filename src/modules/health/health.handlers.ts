import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { createRouter, jsonResponse } from "../../lib/openapi";

const healthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ database: z.enum(["ok", "error"]), config: z.enum(["ok"]) }),
  })
  .openapi("Health");

const healthRoute = createRoute({
  method: "get",
  path: "/api/health/",
  operationId: "health",
  tags: ["health"],
  summary: "Liveness and dependency checks",
  responses: {
    200: jsonResponse(healthSchema, "All dependencies are up"),
    503: jsonResponse(healthSchema, "A dependency is down"),
  },
});

const livenessRoute = createRoute({
  method: "get",
  path: "/api/health/live/",
  operationId: "health_live",
  tags: ["health"],
  summary: "Liveness only: answers without touching any dependency",
  responses: { 200: jsonResponse(z.object({ status: z.literal("ok") }).openapi("Liveness"), "The Worker is running") },
});

export const healthRouter = createRouter()
  .openapi(livenessRoute, (c) => c.json({ status: "ok" } as const, 200))
  .openapi(healthRoute, async (c) => {
  let database: "ok" | "error" = "ok";
  try {
    await c.get("db").run(sql`SELECT 1`);
  } catch {
    database = "error";
  }
  const ok = database === "ok";
  return c.json({ status: ok ? "ok" : "degraded", checks: { database, config: "ok" } } as const, ok ? 200 : 503);
});
