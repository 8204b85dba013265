import { pushEvent } from "../modules/notifications/notification-push";
import { announceOrder } from "../modules/orders/order-announcement";
import type { AppContext } from "../context";
import { runScheduledJob } from "./job-tasks";
import type { JobMessage } from "./messages";

type Handler<T extends JobMessage["type"]> = (message: Extract<JobMessage, { type: T }>, ctx: AppContext) => Promise<unknown>;

/** A handler for every message type of the union: the compiler rejects a type without one. */
type JobRunner = { [T in JobMessage["type"]]: Handler<T> };

/** Add a message type to src/jobs/messages.ts and its handler here; handlers must be idempotent. */
const jobRunner: JobRunner = {
  "notifications.push": (message, ctx) => pushEvent(ctx.db, ctx.env.USER_NOTIFICATIONS, message.eventId),
  "orders.announce": (message, ctx) => announceOrder(ctx, message.orderId, message.after),
  "job.run": (message, ctx) => runScheduledJob(message.name, new Date(message.requestedAt), ctx),
};

export function runJob(message: JobMessage, ctx: AppContext): Promise<unknown> {
  // The mapped type guarantees the handler matches message.type; TypeScript cannot correlate the two.
  const handler = jobRunner[message.type] as (message: JobMessage, ctx: AppContext) => Promise<unknown>;
  return handler(message, ctx);
}
