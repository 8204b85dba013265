import { ctxOf } from "../../context";
import { sql } from "drizzle-orm";
import { createRouter } from "../../lib/openapi";
import { healthRoute, livenessRoute } from "./health.routes";

export const healthRouter = createRouter()
  .openapi(livenessRoute, (c) => c.json({ status: "ok" } as const, 200))
  .openapi(healthRoute, async (c) => {
    let database: "ok" | "error" = "ok";
    try {
      await ctxOf(c).db.run(sql`SELECT 1`);
    } catch {
      database = "error";
    }
    const ok = database === "ok";
    return c.json({ status: ok ? "ok" : "degraded", checks: { database, config: "ok" } } as const, ok ? 200 : 503);
  });
