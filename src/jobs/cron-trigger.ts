import type { Bindings } from "../env";
import { logEvent } from "../lib/log";
import { enqueueJob } from "./enqueue";
import { CRON_JOBS } from "./cron-table";

/** Cron Triggers only enqueue; the queue consumer does the work (with retries and dead-lettering). */
export async function handleScheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  const names = CRON_JOBS[controller.cron];
  if (!names) {
    logEvent("unknown_cron", { cron: controller.cron });
    return;
  }
  for (const name of names) {
    await enqueueJob(env.JOBS, name, controller.scheduledTime);
    logEvent("job_scheduled", { job: name, cron: controller.cron });
  }
}
