import type { Context, MiddlewareHandler } from "hono";
import type { Bindings } from "../env";
import type { AppEnv } from "../context";
import { currentUser } from "./auth";
import { ApiError } from "./errors";

/** Every limiter binding in wrangler.toml has a 60-second window. */
export const WINDOW_SECONDS = 60;

export const clientIp = (c: Context<AppEnv>) => c.req.header("CF-Connecting-IP") ?? "unknown";

export const rateLimited = () =>
  new ApiError("rate_limited", `Request was throttled. Expected available in ${WINDOW_SECONDS} seconds.`, {
    "Retry-After": String(WINDOW_SECONDS),
  });

/** Counts one attempt under `key`; over the limit → 429 with Retry-After. */
export async function enforceRateLimit(limiter: RateLimit, key: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw rateLimited();
}

/** Route middleware: counts every attempt from the client's IP before the body is even validated. */
export function limitPerIp(action: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await enforceRateLimit(c.env.AUTH_IP_LIMITER, `${action}:${clientIp(c)}`);
    await next();
  };
}

/** Route middleware after `authenticated(...)`: counts every attempt of the caller, whatever the body holds. */
export function limitPerUser(action: string, limiter: (env: Bindings) => RateLimit): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await enforceRateLimit(limiter(c.env), `${action}:${currentUser(c).id}`);
    await next();
  };
}
