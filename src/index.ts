import { createApp } from "./app";
import type { Bindings } from "./env";
import { handleQueue } from "./jobs/consumer";
import { handleScheduled } from "./jobs/cron-trigger";

export { UserNotifications } from "./realtime/user-notifications";

const app = createApp();

/**
 * Canonical API paths end with a slash; a request without it is served the same
 * (rewritten in place, no redirect, so POST bodies survive).
 */
function withTrailingSlash(request: Request): Request {
  const url = new URL(request.url);
  if (!/^\/(api|ws)\//.test(url.pathname) || url.pathname.endsWith("/")) return request;
  url.pathname += "/";
  return new Request(url, request);
}

export default {
  fetch: (request, env, ctx) => app.fetch(withTrailingSlash(request), env, ctx),
  queue: (batch, env, ctx) => handleQueue(batch, env, ctx),
  scheduled: (controller, env) => handleScheduled(controller, env),
} satisfies ExportedHandler<Bindings>;
