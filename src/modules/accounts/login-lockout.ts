import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { cacheSafely } from "../../lib/cache-safely";
import { WINDOW_SECONDS, clientIp, enforceRateLimit, rateLimited } from "../../lib/rate-limit";

/**
 * Failed logins are counted per username AND client IP (LOGIN_USERNAME_LIMITER, 10 a minute), so
 * someone failing from another address cannot lock the real user out; successful logins are not
 * counted. The limiter can only be asked by counting, so the failure that goes over the limit also
 * leaves a marker in this data center's Cache API (the limiter's counters are per data center too),
 * and while it lasts (one window) every attempt of that pair, even with the right password, is
 * refused before the password is checked. Every attempt also counts per IP (AUTH_IP_LIMITER, on the route).
 */
/** A cache failure only loses the marker: failures past the limit still get 429 from the limiter. */
const LOCKOUT_CACHE_ERROR = "login_lockout_cache_error";

export function loginLockout(c: Context<AppEnv>, username: string) {
  const pair = `${username.toLowerCase()}:${clientIp(c)}`;
  const marker = `${new URL(c.req.url).origin}/__login-lockout/${encodeURIComponent(pair)}`;
  return {
    async ensureNotLocked(): Promise<void> {
      if (await cacheSafely(LOCKOUT_CACHE_ERROR, "match", () => caches.default.match(marker))) throw rateLimited();
    },
    async recordFailure(): Promise<void> {
      try {
        await enforceRateLimit(c.env.LOGIN_USERNAME_LIMITER, `login:${pair}`);
      } catch (error) {
        const entry = new Response("locked", { headers: { "Cache-Control": `max-age=${WINDOW_SECONDS}` } });
        await cacheSafely(LOCKOUT_CACHE_ERROR, "put", () => caches.default.put(marker, entry));
        throw error;
      }
    },
  };
}
