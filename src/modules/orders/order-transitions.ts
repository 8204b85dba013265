import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { orderStatusHistory, orders, type OrderStatus } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { abortUnlessChanged } from "../../db/guards";
import type { AuthUser } from "../../lib/auth-user";
import { conflict, forbidden } from "../../lib/errors";

/** Who may ask for a transition, relative to the order. */
type Party = "client" | "assigned_worker" | "admin" | "system";

export interface TransitionRule {
  by: readonly Party[];
  /** Money was taken: canceling leaves a refund owed (payments settles it). */
  refundOwed?: true;
}

/** The order status machine: from → to → who. Anything not listed is an invalid transition. */
export const TRANSITIONS: { readonly [From in OrderStatus]: Partial<Record<OrderStatus, TransitionRule>> } = {
  pending: {
    paid: { by: ["system"] },
    canceled: { by: ["client", "admin"] },
  },
  paid: {
    in_progress: { by: ["assigned_worker", "admin"] },
    canceled: { by: ["client", "admin"], refundOwed: true },
  },
  in_progress: {
    completed: { by: ["assigned_worker", "admin"] },
    canceled: { by: ["admin"], refundOwed: true },
  },
  completed: {},
  canceled: {},
};

/** A user, or the system itself (payments, scheduled jobs). */
export type Actor = AuthUser | "system";

export interface OrderParties {
  status: OrderStatus;
  clientId: number;
  workerId: number | null;
}

function partiesOf(order: OrderParties, actor: Actor): Party[] {
  if (actor === "system") return ["system"];
  const parties: Party[] = [];
  if (actor.role === "admin") parties.push("admin");
  if (order.clientId === actor.id) parties.push("client");
  if (order.workerId === actor.id) parties.push("assigned_worker");
  return parties;
}

export function canTransition(order: OrderParties, actor: Actor, to: OrderStatus): boolean {
  const rule = TRANSITIONS[order.status][to];
  return !!rule && partiesOf(order, actor).some((party) => rule.by.includes(party));
}

/**
 * The rule for `order.status → to` if `actor` may apply it. Not in the table, or reserved to the
 * system → 409 invalid_transition; a real transition this actor may not make → 403.
 */
export function authorizeTransition(order: OrderParties, actor: Actor, to: OrderStatus): TransitionRule {
  const rule = TRANSITIONS[order.status][to];
  const invalid = `Cannot change an order from ${order.status} to ${to}.`;
  if (!rule || (actor !== "system" && rule.by.every((party) => party === "system"))) throw conflict(invalid, "invalid_transition");
  if (!canTransition(order, actor, to)) throw forbidden();
  return rule;
}

export interface Transition {
  orderId: number;
  /** Several: any of them (for a change that follows another in its batch, see transitionIfStillStatements). */
  from: OrderStatus | readonly OrderStatus[];
  to: OrderStatus;
  /** null for the system (e.g. a payment webhook). */
  actorId: number | null;
  comment?: string;
  /** Extra columns to set in the same guarded UPDATE (e.g. `workerId`, `refundOwed`). */
  set?: Partial<typeof orders.$inferInsert>;
  /** Extra conditions the order must still meet (e.g. `worker_id IS NULL`); the guard fails otherwise. */
  guard?: SQL;
}

/** `UPDATE orders SET status = :to WHERE id = :id AND status = :from`. */
function transitionUpdate(db: Db, t: Transition) {
  const now = new Date();
  return db
    .update(orders)
    .set({ ...t.set, status: t.to, updatedAt: now, ...(t.to === "completed" ? { completedAt: now } : {}) })
    .where(and(eq(orders.id, t.orderId), typeof t.from === "string" ? eq(orders.status, t.from) : inArray(orders.status, t.from), t.guard));
}

/** The guarded UPDATE plus its history row, for one `db.batch`: if the order was no longer `from`, the batch aborts. */
export function transitionStatements(db: Db, t: Transition) {
  return [
    transitionUpdate(db, t),
    abortUnlessChanged(db, "order"),
    db.insert(orderStatusHistory).values({ orderId: t.orderId, status: t.to, comment: t.comment ?? "", createdById: t.actorId }),
  ] as const;
}

/**
 * Like transitionStatements, for a change that follows another one in its batch (a full refund
 * cancels its order): when the order has moved on meanwhile, nothing is written for it and the
 * rest of the batch still applies.
 */
export function transitionIfStillStatements(db: Db, t: Transition) {
  const history = db.insert(orderStatusHistory).select(
    sql`SELECT NULL, ${t.orderId}, ${t.to}, ${t.comment ?? ""}, ${t.actorId}, ${Date.now()} WHERE changes() = 1`,
  );
  return [transitionUpdate(db, t), history] as const;
}
