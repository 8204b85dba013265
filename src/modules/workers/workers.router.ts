import { ctxOf } from "../../context";
import { currentUser } from "../../lib/auth";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import { getWorkerRoute, listWorkersRoute, ownProfileRoute, updateOwnProfileRoute } from "./workers.routes";
import { getOwnProfile, getWorker, listWorkers, updateOwnProfile } from "./workers.service";

// `me` is registered before `{id}` so it is never parsed as an id.
export const workersRouter = createRouter()
  .openapi(listWorkersRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listWorkers(ctxOf(c), c.req.url, pageRequest(query), query), 200);
  })
  .openapi(ownProfileRoute, async (c) => c.json(await getOwnProfile(ctxOf(c), currentUser(c).id), 200))
  .openapi(updateOwnProfileRoute, async (c) =>
    c.json(await updateOwnProfile(ctxOf(c), currentUser(c).id, c.req.valid("json")), 200),
  )
  .openapi(getWorkerRoute, async (c) => c.json(await getWorker(ctxOf(c), c.req.valid("param").id), 200));
