import { z } from "@hono/zod-openapi";
import type { failedJobs } from "../../../drizzle/schema";
import { JOB_NAMES } from "../../jobs/cron-table";
import { paginationQuery } from "../../lib/pagination";
import { iso } from "../../lib/time";

export const jobParams = z.object({
  name: z.enum(JOB_NAMES).openapi({ param: { name: "name", in: "path" }, example: "daily-report" }),
});

export const jobQueuedSchema = z
  .object({ job: z.enum(JOB_NAMES), status: z.literal("queued"), requested_at: z.string() })
  .openapi("JobQueued");

export const failedJobSchema = z
  .object({
    id: z.number().int(),
    message_id: z.string(),
    job_type: z.string(),
    payload: z.string(),
    error: z.string(),
    attempts: z.number().int(),
    failed_at: z.string(),
  })
  .openapi("FailedJob");

export const toFailedJobDto = (row: typeof failedJobs.$inferSelect): z.infer<typeof failedJobSchema> => ({
  id: row.id,
  message_id: row.messageId,
  job_type: row.jobType,
  payload: row.payload,
  error: row.error,
  attempts: row.attempts,
  failed_at: iso(row.failedAt),
});

export const failedJobsQuery = paginationQuery;
