import { and, eq, sql } from "drizzle-orm";
import { orderStatusHistory, orders, type OrderStatus } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { errorChainText } from "../../db/results";

export interface Transition {
  orderId: number;
  from: OrderStatus;
  to: OrderStatus;
  /** null for the system (e.g. a payment webhook). */
  actorId: number | null;
  comment?: string;
  /** Extra columns to set in the same guarded UPDATE (e.g. `workerId`, `refundOwed`). */
  set?: Partial<typeof orders.$inferInsert>;
}

/**
 * The history row that follows a guarded UPDATE in the same batch. If that UPDATE changed no row
 * (another request won the race), `order_id` becomes NULL, the NOT NULL constraint fails and the
 * whole batch rolls back: nothing after the guard can apply to an order in the wrong state.
 */
export function guardedHistoryInsert(db: Db, h: { orderId: number; status: OrderStatus; actorId: number | null; comment?: string }) {
  return db.insert(orderStatusHistory).values({
    orderId: sql`CASE WHEN changes() = 1 THEN ${h.orderId} END`,
    status: h.status,
    comment: h.comment ?? "",
    createdById: h.actorId,
  });
}

/** `UPDATE orders SET status = :to WHERE id = :id AND status = :from` plus its history row, for one `db.batch`. */
export function transitionStatements(db: Db, t: Transition) {
  const now = new Date();
  return [
    db
      .update(orders)
      .set({ ...t.set, status: t.to, updatedAt: now, ...(t.to === "completed" ? { completedAt: now } : {}) })
      .where(and(eq(orders.id, t.orderId), eq(orders.status, t.from))),
    guardedHistoryInsert(db, { orderId: t.orderId, status: t.to, actorId: t.actorId, comment: t.comment }),
  ] as const;
}

/** True when a batch was rolled back because its guarded UPDATE lost a race (see guardedHistoryInsert). */
export const isGuardFailure = (error: unknown) =>
  /NOT NULL constraint failed: order_status_history\.order_id/.test(errorChainText(error));
