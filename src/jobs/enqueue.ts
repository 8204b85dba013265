import type { JobMessage } from "./messages";
import type { JobName } from "./cron-table";

/** The one way a scheduled job starts, whether from its Cron Trigger or from the admin API. */
export function enqueueJob(jobs: Queue<JobMessage>, name: JobName, requestedAt: number): Promise<void> {
  return jobs.send({ type: "job.run", name, requestedAt }).then(() => undefined);
}
