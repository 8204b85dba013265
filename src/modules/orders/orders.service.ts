import type { AppContext } from "../../context";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { orderStatusHistory, orders, services, users, type OrderStatus } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { isNotNullViolation } from "../../db/results";
import type { AuthUser } from "../../lib/auth-user";
import { ValidationError, conflict, forbidden, notFound } from "../../lib/errors";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import type { Outbox } from "../../context";
import { unreadMessagesOf } from "../messages/conversation";
import { scheduleAnnouncement } from "./order-announcement";
import { commitOrderChange } from "./order-events";
import { findOrderState, loadOrder, selectOrders } from "./order-queries";
import { authorizeTransition, transitionStatements } from "./order-transitions";
import { OPEN_STATUSES, assignableBy, qualifiedFor, visibleTo } from "./order-visibility";
import { toOrderDto, type OrderAssign, type OrderCreate, type OrderStatusChange } from "./orders.schemas";

export const getOrder = ({ db }: AppContext, user: AuthUser, orderId: number) => loadOrder(db, user, orderId);

export async function listOrders(ctx: AppContext, user: AuthUser, url: string, page: PageRequest, status?: OrderStatus) {
  const { db } = ctx;
  const rows = await selectOrders(db, { total: windowTotal(), unreadMessages: unreadMessagesOf(user.id, orders.id) })
    .where(and(visibleTo(user), status ? eq(orders.status, status) : undefined))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, ({ unreadMessages, ...row }) => ({ ...toOrderDto(row, user), unread_messages: unreadMessages }));
}

/**
 * The order's price, read from the service inside the INSERT itself (one round trip less than
 * reading it first). For a missing or inactive service it is NULL, so the NOT NULL constraint
 * rolls the batch back and the request gets a 400 on `service_id`.
 */
const totalPriceOf = (serviceId: number, quantity: number) =>
  sql<number>`(SELECT ${services.basePriceCents} * ${quantity} FROM ${services} WHERE ${services.id} = ${serviceId} AND ${services.isActive} = 1)`;

const isUnorderableService = (error: unknown) => isNotNullViolation(error, "orders.total_price_cents");

/**
 * The id of the order inserted first in the same batch. A batch is one transaction and SQLite
 * has a single writer, so no other order can be inserted between our INSERT and these reads.
 */
const NEW_ORDER_ID = sql`(SELECT max(id) FROM orders)`;

export async function createOrder(ctx: AppContext, client: AuthUser, input: OrderCreate) {
  const { db, outbox } = ctx;
  const serviceId = input.service_id ?? input.service;
  if (serviceId === undefined) throw ValidationError.field("service_id", "This field is required."); // the schema already insists
  const [inserted] = await commitOrderChange(
    db,
    outbox,
    [
      db
        .insert(orders)
        .values({
          serviceId,
          clientId: client.id,
          description: input.description,
          address: input.address,
          scheduledDate: input.scheduled_date,
          quantity: input.quantity,
          totalPriceCents: totalPriceOf(serviceId, input.quantity),
          status: "pending",
          announceAfter: 0,
        })
        .returning({ id: orders.id }),
      db.insert(orderStatusHistory).values({ orderId: NEW_ORDER_ID, status: "pending", comment: "Order created", createdById: client.id }),
    ],
    [{ kind: "order_created", orderId: NEW_ORDER_ID }],
  ).catch((error: unknown) => {
    if (isUnorderableService(error)) {
      throw ValidationError.field("service_id", `Invalid pk "${serviceId}" - object does not exist or is inactive.`);
    }
    throw error;
  });
  const [{ id }] = inserted as { id: number }[];
  scheduleAnnouncement(outbox, id);
  return loadOrder(db, client, id);
}

/** The order's state plus who would be assigned and whether they may be, in one query. */
async function assignmentState(db: Db, user: AuthUser, orderId: number, assigneeId: number) {
  const [row] = await db
    .select({
      status: orders.status,
      workerId: orders.workerId,
      assignee: { username: users.username, role: users.role, isActive: users.isActive },
      qualified: sql<number>`${qualifiedFor(assigneeId, orders.serviceId)}`.mapWith(Boolean),
    })
    .from(orders)
    .leftJoin(users, eq(users.id, assigneeId))
    .where(and(eq(orders.id, orderId), assignableBy(user)))
    .limit(1);
  if (!row) throw notFound();
  return row;
}

/** A worker takes an open order, or an admin gives it to a named worker. */
export async function assignOrder(ctx: AppContext, user: AuthUser, orderId: number, input: OrderAssign) {
  const { db, outbox } = ctx;
  const assigneeId = user.role === "admin" ? input.worker_id : user.id;
  if (assigneeId === undefined) throw ValidationError.field("worker_id", "This field is required.");
  if (user.role === "worker" && input.worker_id !== undefined && input.worker_id !== user.id) {
    throw forbidden("Workers can only assign themselves.");
  }
  const order = await assignmentState(db, user, orderId, assigneeId);
  const { assignee } = order;
  if (assignee?.role !== "worker" || !assignee.isActive) {
    throw ValidationError.field("worker_id", "Choose an active worker.");
  }
  if (order.workerId !== null) throw conflict("This order already has a worker.");
  const status = OPEN_STATUSES.find((open) => open === order.status);
  if (!status) throw conflict(`Only ${OPEN_STATUSES.join(" or ")} orders can be assigned; this one is ${order.status}.`);
  if (!order.qualified) throw ValidationError.field("worker_id", "This worker is not qualified for the order's service.");

  await commitAssignment(db, outbox, { orderId, status, assigneeId, assigneeName: assignee.username, actorId: user.id });
  return loadOrder(db, user, orderId);
}

export interface Assignment {
  orderId: number;
  /** The open status the order was seen in; the guarded UPDATE requires it still. */
  status: (typeof OPEN_STATUSES)[number];
  assigneeId: number;
  assigneeName: string;
  /** null when the system assigns (the auto-assign job). */
  actorId: number | null;
}

/**
 * Writes an assignment: paid orders start right away (escrow: the money is in). The guarded UPDATE
 * re-checks "no worker yet", the status and the qualification, so of many concurrent assigns
 * (manual or automatic) exactly one wins; the others get a 409.
 */
export async function commitAssignment(db: Db, outbox: Outbox, a: Assignment) {
  const startsWork = a.status === "paid";
  const writes = transitionStatements(db, {
    orderId: a.orderId,
    from: a.status,
    to: startsWork ? "in_progress" : a.status,
    actorId: a.actorId,
    comment: `Worker ${a.assigneeName} assigned${startsWork ? "; work started" : ""}`,
    set: { workerId: a.assigneeId },
    guard: and(isNull(orders.workerId), qualifiedFor(a.assigneeId, orders.serviceId)),
  });
  await commitOrderChange(
    db,
    outbox,
    writes,
    [
      { kind: "worker_assigned", orderId: a.orderId },
      ...(startsWork ? [{ kind: "status_changed", orderId: a.orderId, status: "in_progress" } as const] : []),
    ],
    () => conflict("This order was assigned or changed by someone else meanwhile."),
  );
}

/**
 * Applies one row of the TRANSITIONS table for `user`, with its history entry and notifications.
 * `refundOwed`: the change canceled an order whose money was taken (payments settles it).
 */
export async function changeOrderStatus(ctx: AppContext, user: AuthUser, orderId: number, input: OrderStatusChange) {
  const { db, outbox } = ctx;
  const order = await findOrderState(db, user, orderId);
  const rule = authorizeTransition(order, user, input.status);
  const writes = transitionStatements(db, {
    orderId,
    from: order.status,
    to: input.status,
    actorId: user.id,
    comment: input.comment,
    set: rule.refundOwed ? { refundOwed: true } : undefined,
  });
  await commitOrderChange(db, outbox, writes, [{ kind: "status_changed", orderId, status: input.status }]);
  return { order: await loadOrder(db, user, orderId), refundOwed: rule.refundOwed === true };
}
