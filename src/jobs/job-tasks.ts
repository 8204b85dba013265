import { resumeStalledAnnouncements } from "../modules/orders/order-announcement";
import { retryDuePayments } from "../modules/payments/payment-retry";
import type { AppContext } from "../context";
import type { JobName } from "./cron-table";
import { autoAssignOrders } from "../modules/orders/auto-assign";
import { buildDailyReport, previousUtcDay } from "../modules/reports/daily-report";
import { cleanupOrders } from "../modules/orders/order-cleanup";
import { cleanupTokens } from "../modules/accounts/token-cleanup";
import { publishDueReviews } from "../modules/reviews/review-publication";
import { escalateDisputes } from "../modules/payouts/disputes.service";
import { releaseDueEscrows } from "../modules/payouts/escrow-release";

type Task = (ctx: AppContext, requestedAt: Date) => Promise<unknown>;

/** The task behind each scheduled job name (one line per job; the compiler insists on all of them). */
const TASKS: Record<JobName, Task> = {
  "token-cleanup": (ctx) => cleanupTokens(ctx.db, new Date()),
  "auto-assign": async (ctx) => ({
    resumed_announcements: await resumeStalledAnnouncements(ctx, new Date()),
    ...(await autoAssignOrders(ctx)),
  }),
  "payment-retry": (ctx) => retryDuePayments(ctx, new Date()),
  "order-cleanup": (ctx) => cleanupOrders(ctx.db, new Date(), ctx.config.orderRetentionDays),
  // Every minute, so no release is more than a minute late; also escalates disputes left open.
  "escrow-release": async (ctx) => ({
    ...(await releaseDueEscrows(ctx, new Date())),
    ...(await escalateDisputes(ctx, new Date(), ctx.config.disputeEscalationHours)),
  }),
  // A retried run still reports on the day its cron meant.
  "daily-report": (ctx, requestedAt) => buildDailyReport(ctx.db, previousUtcDay(requestedAt)),
  "review-publish": (ctx) => publishDueReviews(ctx, new Date()),
};

export function runScheduledJob(name: JobName, requestedAt: Date, ctx: AppContext): Promise<unknown> {
  return TASKS[name](ctx, requestedAt);
}
