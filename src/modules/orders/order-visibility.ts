import { and, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { orders, services, workerProfiles, workerSpecializations, type OrderStatus } from "../../../drizzle/schema";
import type { AuthUser } from "../../lib/auth-user";

/** Statuses in which an order without a worker is open for assignment. */
export const OPEN_STATUSES = ["pending", "paid"] as const satisfies readonly OrderStatus[];

/**
 * The qualification rule: a worker is qualified for a service they own, for any service if they
 * declared no specializations, and otherwise for the services among their specializations.
 */
export function qualifiedFor(workerId: number | SQLiteColumn | SQL, serviceId: SQLiteColumn | SQL): SQL {
  const declared = (extra: SQL) => sql`SELECT 1 FROM ${workerSpecializations} qws
    JOIN ${workerProfiles} qwp ON qwp.id = qws.worker_profile_id
    WHERE qwp.user_id = ${workerId} ${extra}`;
  return sql`(EXISTS (SELECT 1 FROM ${services} qs WHERE qs.id = ${serviceId} AND qs.worker_id = ${workerId})
    OR NOT EXISTS (${declared(sql``)})
    OR EXISTS (${declared(sql`AND qws.service_id = ${serviceId}`)}))`;
}

/** Unassigned, open, and for a service the worker is qualified for. */
const openFor = (workerId: number): SQL =>
  sql`(${isNull(orders.workerId)} AND ${inArray(orders.status, OPEN_STATUSES)} AND ${qualifiedFor(workerId, orders.serviceId)})`;

/**
 * Orders the caller may see: clients their own, workers the ones assigned to them plus open ones
 * they could take, admins all. Used inside every order query, so invisible orders are simply not found.
 */
export function visibleTo(user: AuthUser): SQL | undefined {
  switch (user.role) {
    case "admin":
      return undefined;
    case "client":
      return eq(orders.clientId, user.id);
    case "worker":
      return or(eq(orders.workerId, user.id), openFor(user.id));
  }
}

/**
 * Orders an assign request may find: the visible ones, plus, for a worker, orders they were
 * qualified to take that someone else just took (still pending, paid or in progress). A loser of
 * a concurrent assign thus gets the contract's 409, not a 404 because the order left the open pool.
 */
export function assignableBy(user: AuthUser): SQL | undefined {
  if (user.role !== "worker") return visibleTo(user);
  return or(visibleTo(user), and(inArray(orders.status, [...OPEN_STATUSES, "in_progress"]), qualifiedFor(user.id, orders.serviceId)));
}

/** Who an order's users are: its client and, once assigned, its worker. */
export interface OrderParties {
  clientId: number;
  workerId: number | null;
}

/**
 * Whether `viewer` may see the contact fields (email, phone) of `userId` on this order: their own,
 * an admin, or the other party once a worker is assigned. Everyone else gets the public view.
 */
export function seesContactsOf(viewer: AuthUser, order: OrderParties, userId: number): boolean {
  if (viewer.role === "admin" || viewer.id === userId) return true;
  if (order.workerId === null) return false;
  const parties = [order.clientId, order.workerId];
  return parties.includes(viewer.id) && parties.includes(userId);
}

/** The street address is for the client, admins and the assigned worker, not a worker browsing open orders. */
export const seesAddressOf = (viewer: AuthUser, order: OrderParties): boolean =>
  viewer.role !== "worker" || order.workerId === viewer.id;
