import { ctxOf } from "../../context";
import { currentUser } from "../../lib/auth";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import { listInboxRoute, markAllReadRoute, markReadRoute } from "./notifications.routes";
import { listInbox, markAllRead, markRead } from "./notifications.service";

export const notificationsRouter = createRouter()
  .openapi(listInboxRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listInbox(ctxOf(c), currentUser(c).id, c.req.url, pageRequest(query), query.unread), 200);
  })
  .openapi(markReadRoute, async (c) => c.json(await markRead(ctxOf(c), currentUser(c).id, c.req.valid("param").id), 200))
  .openapi(markAllReadRoute, async (c) => c.json(await markAllRead(ctxOf(c), currentUser(c).id), 200));
