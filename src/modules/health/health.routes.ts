import { createRoute, z } from "@hono/zod-openapi";
import { jsonResponse } from "../../lib/openapi";

const healthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ database: z.enum(["ok", "error"]), config: z.enum(["ok"]) }),
  })
  .openapi("Health");

export const healthRoute = createRoute({
  method: "get",
  path: "/api/health/",
  operationId: "health",
  tags: ["health"],
  summary: "Liveness and dependency checks",
  description: "Runs one query against the database and reports each check; 503 with `status: degraded` when a dependency is down.",
  responses: {
    200: jsonResponse(healthSchema, "All dependencies are up"),
    503: jsonResponse(healthSchema, "A dependency is down"),
  },
});

export const livenessRoute = createRoute({
  method: "get",
  path: "/api/health/live/",
  operationId: "health_live",
  tags: ["health"],
  summary: "Liveness only: answers without touching any dependency",
  description: "Answers as long as the Worker runs; touches no database or other binding. For load balancers and uptime checks.",
  responses: { 200: jsonResponse(z.object({ status: z.literal("ok") }).openapi("Liveness"), "The Worker is running") },
});
