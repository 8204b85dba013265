import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";

/** Every limiter binding in wrangler.toml has a 60-second window. */
const WINDOW_SECONDS = 60;

export const clientIp = (c: Context<AppEnv>) => c.req.header("CF-Connecting-IP") ?? "unknown";

/** Counts one attempt under `key`; over the limit → 429 with Retry-After. */
export async function enforceRateLimit(limiter: RateLimit, key: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) {
    throw new ApiError(429, "rate_limited", `Request was throttled. Expected available in ${WINDOW_SECONDS} seconds.`, {
      "Retry-After": String(WINDOW_SECONDS),
    });
  }
}
