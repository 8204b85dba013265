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
  // String checks first: most requests need no rewrite, and parsing the URL costs more than the rest.
  const { url } = request;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const queryStart = url.indexOf("?", pathStart);
  const path = queryStart === -1 ? url.slice(pathStart) : url.slice(pathStart, queryStart);
  if (path.endsWith("/") || !(path.startsWith("/api/") || path.startsWith("/ws/"))) return request;
  const rewritten = new URL(url);
  rewritten.pathname += "/";
  return new Request(rewritten, request);
}

export default {
  fetch: (request, env, ctx) => app.fetch(withTrailingSlash(request), env, ctx),
  queue: (batch, env, ctx) => handleQueue(batch, env, ctx),
  scheduled: (controller, env) => handleScheduled(controller, env),
} satisfies ExportedHandler<Bindings>;
