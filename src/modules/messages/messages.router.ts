import { ctxOf } from "../../context";
import { currentUser } from "../../lib/auth";
import { createRouter } from "../../lib/openapi";
import { listMessagesRoute, postMessageRoute, readMessagesRoute } from "./messages.routes";
import { listMessages, markMessagesRead, postMessage } from "./messages.service";

export const messagesRouter = createRouter()
  .openapi(listMessagesRoute, async (c) =>
    c.json(await listMessages(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.url, c.req.valid("query")), 200),
  )
  .openapi(postMessageRoute, async (c) =>
    c.json(await postMessage(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json").body), 201),
  )
  .openapi(readMessagesRoute, async (c) =>
    c.json(await markMessagesRead(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json").up_to), 200),
  );
