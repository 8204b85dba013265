import type { Context } from "hono";
import type { AppEnv } from "../../env";
import type { JobMessage } from "../../jobs/messages";

/** How a request or a job hands work to the queue without waiting for it (pushes, announcements). */
export interface Effects {
  jobs: Queue<JobMessage>;
  waitUntil(promise: Promise<unknown>): void;
}

/** A request's Effects: its queue binding, and pushes that may outlive the response. */
export const effectsOf = (c: Context<AppEnv>): Effects => ({
  jobs: c.env.JOBS,
  waitUntil: (promise) => c.executionCtx.waitUntil(promise),
});
