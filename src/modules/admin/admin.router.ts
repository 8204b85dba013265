import { ctxOf } from "../../context";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import { failedJobsRoute, runJobRoute } from "./admin.routes";
import { listFailedJobs, queueJob } from "./admin.service";

export const adminRouter = createRouter()
  .openapi(runJobRoute, async (c) => c.json(await queueJob(c.env.JOBS, c.req.valid("param").name), 202))
  .openapi(failedJobsRoute, async (c) =>
    c.json(await listFailedJobs(ctxOf(c), c.req.url, pageRequest(c.req.valid("query"))), 200),
  );
