import type { Context, MiddlewareHandler } from "hono";
import { setHeader } from "./response-headers";

interface CorsOptions<C extends Context> {
  /** The origin to allow for this request, or null. */
  origin: (origin: string, c: C) => string | null;
  allowHeaders: string[];
  exposeHeaders: string[];
  allowMethods: string[];
  maxAge: number;
}

/**
 * CORS with the behaviour of hono/cors for a per-request origin list, built once: preflights are
 * answered here; other requests get their headers on the final response, set in place (hono/cors
 * sets them on a placeholder response before the handler runs, which Hono then copies into the real one).
 */
export function corsMiddleware<E extends { Variables: object }>(options: CorsOptions<Context<E>>): MiddlewareHandler<E> {
  const allowHeaders = options.allowHeaders.join(",");
  const exposeHeaders = options.exposeHeaders.join(",");
  const allowMethods = options.allowMethods.join(",");
  const maxAge = String(options.maxAge);
  return async (c, next) => {
    const allowed = options.origin(c.req.header("Origin") ?? "", c);
    if (c.req.method === "OPTIONS") {
      const headers = new Headers({ "Access-Control-Expose-Headers": exposeHeaders, Vary: "Origin, Access-Control-Request-Headers" });
      if (allowed) headers.set("Access-Control-Allow-Origin", allowed);
      headers.set("Access-Control-Max-Age", maxAge);
      headers.set("Access-Control-Allow-Methods", allowMethods);
      headers.set("Access-Control-Allow-Headers", allowHeaders);
      return new Response(null, { status: 204, statusText: "No Content", headers });
    }
    await next();
    if (allowed) setHeader(c, "Access-Control-Allow-Origin", allowed);
    setHeader(c, "Access-Control-Expose-Headers", exposeHeaders);
    setHeader(c, "Vary", "Origin", true);
  };
}
