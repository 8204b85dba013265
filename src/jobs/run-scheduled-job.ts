import { loadConfig } from "../env";
import type { JobContext } from "./runner";
import type { JobName } from "./schedule";
import { autoAssignOrders } from "./tasks/auto-assign";
import { buildDailyReport, previousUtcDay } from "./tasks/daily-report";
import { cleanupOrders } from "./tasks/order-cleanup";
import { cleanupTokens } from "./tasks/token-cleanup";

type Task = (ctx: JobContext, requestedAt: Date) => Promise<unknown>;

/** The task behind each scheduled job name (one line per job). */
const TASKS: Partial<Record<JobName, Task>> = {
  "token-cleanup": (ctx) => cleanupTokens(ctx.db, new Date()),
  "auto-assign": (ctx) => autoAssignOrders(ctx.db, ctx.env.JOBS),
  "order-cleanup": (ctx) => cleanupOrders(ctx.db, new Date(), loadConfig(ctx.env).orderRetentionDays),
  // A retried run still reports on the day its cron meant.
  "daily-report": (ctx, requestedAt) => buildDailyReport(ctx.db, previousUtcDay(requestedAt)),
};

export async function runScheduledJob(name: JobName, requestedAt: Date, ctx: JobContext): Promise<unknown> {
  const task = TASKS[name];
  // Retried like any failure: a deploy that adds the task may land before the last attempt.
  if (!task) throw new Error(`No task is registered for job "${name}".`);
  return task(ctx, requestedAt);
}
