import { and, eq, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { orderMessageReads, orderMessages, orderStatusHistory, orders, users, type OrderStatus } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import type { AuthUser } from "../../lib/auth-user";
import { ApiError, notFound } from "../../lib/errors";
import { publicUserColumns } from "../accounts/user-columns";

/**
 * Who is in an order's conversation: its client, its worker once assigned, and admins. A worker
 * browsing an open order is not (it isn't theirs yet). Used inside every query, so others get a 404.
 */
export const inConversation = (user: AuthUser): SQL | undefined =>
  user.role === "admin" ? undefined : or(eq(orders.clientId, user.id), eq(orders.workerId, user.id));

/** Statuses in which the platform holds or has passed on the money: contact details are shown as sent. */
const PAID_STATUSES: readonly OrderStatus[] = ["paid", "in_progress", "completed"];
export const isPaid = (status: OrderStatus) => PAID_STATUSES.includes(status);

/** Author and admins see the original; the other party sees contact details masked until the order is paid. */
export const seesOriginal = (viewer: AuthUser, senderId: number, status: OrderStatus) =>
  viewer.role === "admin" || viewer.id === senderId || isPaid(status);

/** When a completed or canceled order ended (its last terminal history entry), else null. */
const endedAt = sql<number | null>`(SELECT max(h.created_at) FROM ${orderStatusHistory} h
  WHERE h.order_id = ${orders.id} AND h.status IN ('completed', 'canceled'))`;

/** What posting needs to know, and the caller's public columns for the message's sender, in one query; 404 if not theirs. */
export async function conversationState(db: Db, user: AuthUser, orderId: number) {
  const [row] = await db
    .select({
      status: orders.status,
      clientId: orders.clientId,
      workerId: orders.workerId,
      updatedAt: orders.updatedAt,
      endedAt,
      sender: publicUserColumns(users),
    })
    .from(orders)
    .innerJoin(users, eq(users.id, user.id))
    .where(and(eq(orders.id, orderId), inConversation(user)))
    .limit(1);
  if (!row) throw notFound();
  return row;
}

export type ConversationState = Awaited<ReturnType<typeof conversationState>>;

/** A completed or canceled order accepts messages for `windowDays` after it ended; later → 409. */
export function assertOpen(state: ConversationState, windowDays: number, now = Date.now()) {
  if (state.status !== "completed" && state.status !== "canceled") return;
  const ended = state.endedAt ?? state.updatedAt.getTime();
  if (now > ended + windowDays * 86_400_000) {
    throw new ApiError("conversation_closed", `This order was ${state.status} more than ${windowDays} days ago; its conversation is read-only.`);
  }
}

/** How far `userId` has read the order's conversation (0: nothing read). */
export const lastReadIdOf = (userId: number, orderId: number | SQLiteColumn) =>
  sql<number>`coalesce((SELECT r.last_read_id FROM ${orderMessageReads} r WHERE r.order_id = ${orderId} AND r.user_id = ${userId}), 0)`;

/**
 * Messages of the other participants that `userId` has not read, for one order (a number, or the
 * `orders.id` column of an outer query). Counts a range of the (order_id, id) index.
 */
export const unreadMessagesOf = (userId: number, orderId: number | SQLiteColumn) =>
  sql<number>`(SELECT count(*) FROM ${orderMessages} um WHERE um.order_id = ${orderId} AND um.sender_id <> ${userId}
    AND um.id > ${lastReadIdOf(userId, orderId)})`.mapWith(Number);
