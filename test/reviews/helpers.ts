import { and, eq } from "drizzle-orm";
import { notifications, reviews } from "../../drizzle/schema";
import { call } from "../helpers/http";
import { createOrder, createService, createUser, db } from "../helpers/factories";

const DAY_MS = 86_400_000;

/** A completed order (completed `daysAgo` days ago) with its client and assigned worker. */
export async function completedOrder(options: { daysAgo?: number; status?: "completed" | "in_progress" } = {}) {
  const worker = await createUser("worker");
  const client = await createUser("client");
  const service = await createService({ worker });
  const status = options.status ?? "completed";
  const completedAt = status === "completed" ? new Date(Date.now() - (options.daysAgo ?? 0) * DAY_MS) : null;
  const order = await createOrder({ client, service, workerId: worker.id, status, completedAt });
  return { order, client, worker };
}

export const review = (token: string, orderId: number, body: unknown) => call("POST", `/api/orders/${orderId}/reviews/`, { token, body });

export const orderReviews = (token: string | undefined, orderId: number) => call("GET", `/api/orders/${orderId}/reviews/`, { token });

/** The inbox rows of one kind of review notification for a user and an order. */
export const reviewInbox = (userId: number, orderId: number, notificationType: string) =>
  db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.orderId, orderId), eq(notifications.notificationType, notificationType)));

/** Moves a review's window close into the past, instead of waiting 14 days. */
export const closeWindow = (orderId: number) =>
  db().update(reviews).set({ publishDueAt: new Date(Date.now() - 1000) }).where(eq(reviews.orderId, orderId));
