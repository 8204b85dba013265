import type { Context } from "hono";
import type { AppEnv } from "../../env";
import type { Effects } from "./notification-events";

/** A request's Effects: its queue binding, and pushes that may outlive the response. */
export const effectsOf = (c: Context<AppEnv>): Effects => ({
  jobs: c.env.JOBS,
  waitUntil: (promise) => c.executionCtx.waitUntil(promise),
});
