import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { bearerSecurity, errorResponses, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { failedJobSchema, failedJobsQuery, jobParams, jobQueuedSchema } from "./admin.schemas";

const tags = ["admin"];

export const runJobRoute = createRoute({
  method: "post",
  path: "/api/admin/jobs/{name}/run/",
  operationId: "admin_jobs_run",
  tags,
  summary: "Run a scheduled job now, through the same queue path as its cron",
  description: "Admins only. Enqueues the job on the jobs queue as its Cron Trigger would; the queue consumer runs it, with retries.",
  security: bearerSecurity,
  middleware: [authenticated("admin")] as const,
  request: { params: jobParams },
  responses: { 202: jsonResponse(jobQueuedSchema, "The job was queued"), ...errorResponses(400, 401, 403, 503) },
});

export const failedJobsRoute = createRoute({
  method: "get",
  path: "/api/admin/jobs/failed/",
  operationId: "admin_jobs_failed_list",
  tags,
  summary: "Dead-lettered queue messages, newest first",
  description: "Admins only. Messages that were malformed or failed their last delivery, with the error.",
  security: bearerSecurity,
  middleware: [authenticated("admin")] as const,
  request: { query: failedJobsQuery },
  responses: {
    200: jsonResponse(pageSchema(failedJobSchema, "FailedJobPage"), "A page of failed jobs"),
    ...errorResponses(400, 401, 403, 404),
  },
});
