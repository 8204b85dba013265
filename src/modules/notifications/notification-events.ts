import { sql, type SQL } from "drizzle-orm";
import { notifications, type OrderStatus } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import type { Outbox } from "../../context";
import { logEvent } from "../../lib/log";

/**
 * An order id, or SQL that yields it inside the writing batch (a new order's id is only known to
 * the database until the batch commits).
 */
type OrderRef = number | SQL;

/** Every domain event that notifies someone. Orders and payments report through this one type. */
export type DomainEvent =
  | { kind: "order_created"; orderId: OrderRef }
  /** A new order, told to some of the workers who could take it (`workers`: a query returning `user_id` rows). */
  | { kind: "order_available"; orderId: number; workers: SQL }
  | { kind: "worker_assigned"; orderId: number }
  | { kind: "status_changed"; orderId: number; status: OrderStatus }
  | { kind: "payment_success" | "payment_failed" | "payment_refunded"; orderId: number; paymentId: string }
  /** Escrow: the worker's share was transferred, or waits for the worker's payout account. */
  | { kind: "payout_released" | "payout_awaiting_account"; orderId: number }
  /** Disputes: opened (parties and admins), resolved (parties), escalated (admins). */
  | { kind: "dispute_opened" | "dispute_resolved" | "dispute_escalated"; orderId: number };


interface Recipients {
  type: string;
  notificationType: string | null;
  /** SQL text over the order row `o`. */
  message: SQL;
  /** Who gets it: a query over the order returning `user_id` rows. */
  users: (orderId: OrderRef) => SQL;
}

const orderRef = sql`'Order #' || o.id`;
const CLIENT = (orderId: OrderRef) => sql`SELECT client_id AS user_id FROM orders WHERE id = ${orderId}`;
const PARTIES = (orderId: OrderRef) =>
  sql`SELECT client_id AS user_id FROM orders WHERE id = ${orderId}
      UNION SELECT worker_id FROM orders WHERE id = ${orderId} AND worker_id IS NOT NULL`;
const WORKER = (orderId: OrderRef) => sql`SELECT worker_id AS user_id FROM orders WHERE id = ${orderId} AND worker_id IS NOT NULL`;
const ADMINS = () => sql`SELECT id AS user_id FROM users WHERE role = 'admin' AND is_active = 1`;
const PARTIES_AND_ADMINS = (orderId: OrderRef) => sql`${PARTIES(orderId)} UNION ${ADMINS()}`;

function recipientsOf(event: DomainEvent): Recipients[] {
  switch (event.kind) {
    case "order_created":
      return [{ type: "order_notification", notificationType: "order_created", message: sql`${orderRef} || ' was created.'`, users: CLIENT }];
    case "order_available":
      return [{ type: "order_notification", notificationType: "new_order_available", message: sql`'New order #' || o.id || ' is available.'`, users: () => event.workers }];
    case "worker_assigned":
      return [
        { type: "order_notification", notificationType: "worker_assigned", message: sql`'A worker was assigned to order #' || o.id || '.'`, users: PARTIES },
      ];
    case "status_changed":
      return [
        { type: "status_update", notificationType: event.status, message: sql`${orderRef} || ' is now ' || ${event.status.replace("_", " ")} || '.'`, users: PARTIES },
      ];
    case "payment_success":
      return [{ type: "payment_notification", notificationType: event.kind, message: sql`'Payment for order #' || o.id || ' succeeded.'`, users: CLIENT }];
    case "payment_failed":
      return [{ type: "payment_notification", notificationType: event.kind, message: sql`'Payment for order #' || o.id || ' failed.'`, users: CLIENT }];
    case "payment_refunded":
      return [{ type: "payment_notification", notificationType: event.kind, message: sql`'Payment for order #' || o.id || ' was refunded.'`, users: CLIENT }];
    case "payout_released":
      return [{ type: "payout_notification", notificationType: event.kind, message: sql`'Your payout for order #' || o.id || ' was released.'`, users: WORKER }];
    case "payout_awaiting_account":
      return [
        {
          type: "payout_notification",
          notificationType: event.kind,
          message: sql`'Your payout for order #' || o.id || ' is waiting for your payout account to be enabled.'`,
          users: WORKER,
        },
      ];
    case "dispute_opened":
      return [{ type: "dispute_notification", notificationType: event.kind, message: sql`'A dispute was opened on order #' || o.id || '.'`, users: PARTIES_AND_ADMINS }];
    case "dispute_resolved":
      return [{ type: "dispute_notification", notificationType: event.kind, message: sql`'The dispute on order #' || o.id || ' was resolved.'`, users: PARTIES }];
    case "dispute_escalated":
      return [
        { type: "dispute_notification", notificationType: event.kind, message: sql`'The dispute on order #' || o.id || ' is still unresolved.'`, users: ADMINS },
      ];
  }
}

/**
 * Statements that write one inbox row per recipient. Run them in the same `db.batch` as the state
 * change they describe, so the inbox never disagrees with the data. Returns the event id to push.
 * `onlyIf` writes the rows only when the order is in that status (after transitionIfStillStatements),
 * or only when the statement right before changed a row (`afterChange`).
 */
export function inboxInserts(db: Db, event: DomainEvent, onlyIf?: { orderStatus: OrderStatus } | { afterChange: true }) {
  const eventId = crypto.randomUUID();
  const paymentId = "paymentId" in event ? event.paymentId : null;
  const data = JSON.stringify(event.kind === "status_changed" ? { status: event.status } : {});
  const now = Date.now();
  // After a conditional write earlier in the batch: only if the order has the status now, or if that write changed a row.
  const guard = !onlyIf ? sql`` : "orderStatus" in onlyIf ? sql`AND o.status = ${onlyIf.orderStatus}` : sql`AND changes() = 1`;
  // Insert-from-select lists every column of `notifications` in table order (Drizzle's rule for
  // `insert().select(sql)`); raw `db.run(sql)` with parameters cannot be batched on D1.
  const statements = recipientsOf(event).map((r) =>
    db.insert(notifications).select(sql`
      SELECT NULL, r.user_id, ${eventId}, ${r.type}, ${r.notificationType}, o.id, ${paymentId}, ${r.message}, ${data}, 0, ${now}
      FROM (${r.users(event.orderId)}) r JOIN orders o ON o.id = ${event.orderId} ${guard}
      ORDER BY r.user_id`),
  );
  return { eventId, statements };
}

/** After the data is committed: queue the live push. A queue hiccup never fails the request. */
export function schedulePush(outbox: Outbox, eventId: string): void {
  outbox.waitUntil(
    outbox.jobs.send({ type: "notifications.push", eventId }).catch((error: unknown) => {
      logEvent("push_enqueue_failed", { event_id: eventId, error: String(error) });
    }),
  );
}
