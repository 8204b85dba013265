import type { Db } from "../../db/client";
import type { AuthUser } from "../../lib/auth-user";
import { inboxInserts } from "../notifications/notification-events";
import { loadOrder } from "./order-queries";
import { transitionIfStillStatements, transitionStatements } from "./order-transitions";

/**
 * What other modules may ask of orders: statements for their own `db.batch`, so the order changes
 * in the same transaction as the change that causes it. Orders' internals stay private to it.
 */

/** pending → paid, with its history row; the batch aborts if the order is no longer pending. */
export const markPaidStatements = (db: Db, orderId: number, paymentId: string) =>
  transitionStatements(db, { orderId, from: "pending", to: "paid", actorId: null, comment: `Payment ${paymentId} completed.` });

/** Statuses a full refund cancels: the order hasn't been completed. */
export const CANCELED_BY_FULL_REFUND = ["paid", "in_progress"] as const;

/**
 * Cancels an order whose payment is fully refunded, if it is still paid or in progress, and tells its
 * parties; if the order has moved on, nothing is written for it and the rest of the batch applies.
 */
export function cancelForFullRefund(db: Db, orderId: number, actorId: number | null) {
  const canceled = inboxInserts(db, { kind: "status_changed", orderId, status: "canceled" }, { orderStatus: "canceled" });
  const transition = transitionIfStillStatements(db, { orderId, from: CANCELED_BY_FULL_REFUND, to: "canceled", actorId, comment: "Canceled: the payment was fully refunded." });
  return { eventId: canceled.eventId, statements: [...transition, ...canceled.statements] };
}

/** The order as `user` may see it (404 otherwise): what another module answers with after changing something of the order. */
export const orderAsSeenBy = (db: Db, user: AuthUser, orderId: number) => loadOrder(db, user, orderId);
