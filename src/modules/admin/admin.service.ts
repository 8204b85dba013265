import type { AppContext } from "../../context";
import { desc, getTableColumns } from "drizzle-orm";
import { failedJobs } from "../../../drizzle/schema";
import type { JobMessage } from "../../jobs/messages";
import { enqueueJob } from "../../jobs/enqueue";
import type { JobName } from "../../jobs/cron-table";
import { ApiError } from "../../lib/errors";
import { logEvent } from "../../lib/log";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import { toFailedJobDto } from "./admin.schemas";

/** Queues a job exactly as its Cron Trigger does; the queue consumer runs it. */
export async function queueJob(jobs: Queue<JobMessage>, name: JobName, now = new Date()) {
  try {
    await enqueueJob(jobs, name, now.getTime());
  } catch (error) {
    logEvent("job_enqueue_failed", { job: name, error: String(error) });
    throw new ApiError("service_unavailable", "The job queue is unavailable; retry shortly.", { "Retry-After": "5" });
  }
  return { job: name, status: "queued" as const, requested_at: now.toISOString() };
}

export async function listFailedJobs(ctx: AppContext, url: string, page: PageRequest) {
  const { db } = ctx;
  const rows = await db
    .select({ ...getTableColumns(failedJobs), total: windowTotal() })
    .from(failedJobs)
    .orderBy(desc(failedJobs.id))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, toFailedJobDto);
}
