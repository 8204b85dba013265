import { and, eq, sql } from "drizzle-orm";
import { alias, type SelectedFields } from "drizzle-orm/sqlite-core";
import { categories, clientRatings, orderStatusHistory, orders, services, users } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import type { AuthUser } from "../../lib/auth-user";
import { notFound } from "../../lib/errors";
import { userColumns, type UserAlias } from "../accounts/user-columns";
import { serviceColumns, serviceOwner } from "../catalog/service-select";
import { escrowJson } from "./order-escrow";
import { visibleTo } from "./order-visibility";
import { toOrderDto, type OrderRow } from "./orders.schemas";

const orderClient: UserAlias = alias(users, "order_client");
const orderWorker: UserAlias = alias(users, "order_worker");

const historyAuthor: UserAlias = alias(users, "history_author");

/** `json_object('id', <column>, ...)` over the same user columns as every nested user. */
const authorJson = sql.join(
  Object.entries(userColumns(historyAuthor)).map(([key, column]) => sql`${sql.raw(`'${key}'`)}, ${column}`),
  sql`, `,
);

/**
 * The order's history with each author as one JSON array column, so an order (or a whole page of
 * them) loads in a single query. A system entry has an author object whose fields are all null.
 */
const historyJson = sql<string>`(SELECT json_group_array(json_object(
    'id', h.id, 'status', h.status, 'comment', h.comment, 'created_at', h.created_at, 'created_by', json_object(${authorJson})))
  FROM ${orderStatusHistory} h LEFT JOIN ${users} ${historyAuthor} ON ${historyAuthor.id} = h.created_by_id
  WHERE h.order_id = ${orders.id})`;

const orderColumns = {
  id: orders.id,
  description: orders.description,
  address: orders.address,
  scheduledDate: orders.scheduledDate,
  quantity: orders.quantity,
  totalPriceCents: orders.totalPriceCents,
  status: orders.status,
  createdAt: orders.createdAt,
  updatedAt: orders.updatedAt,
  completedAt: orders.completedAt,
  service: serviceColumns,
  client: userColumns(orderClient),
  worker: userColumns(orderWorker),
  history: historyJson,
  clientRatingHundredths: clientRatings.ratingHundredths,
  clientReviewsCount: clientRatings.reviewsCount,
  escrow: escrowJson,
} satisfies Record<keyof OrderRow, unknown>;

/** Orders with service (category, owner), client, worker and history; add where, ordering and limits. */
export const selectOrders = <T extends SelectedFields = Record<string, never>>(db: Db, extra = {} as T) =>
  db
    .select({ ...orderColumns, ...extra })
    .from(orders)
    .innerJoin(services, eq(services.id, orders.serviceId))
    .innerJoin(categories, eq(categories.id, services.categoryId))
    .innerJoin(serviceOwner, eq(serviceOwner.id, services.workerId))
    .innerJoin(orderClient, eq(orderClient.id, orders.clientId))
    .leftJoin(orderWorker, eq(orderWorker.id, orders.workerId))
    .leftJoin(clientRatings, eq(clientRatings.userId, orders.clientId));

/** One order as the caller may see it, in one query; 404 when it is not visible to them. */
export async function loadOrder(db: Db, user: AuthUser, orderId: number) {
  const [row] = await selectOrders(db).where(and(eq(orders.id, orderId), visibleTo(user))).limit(1);
  if (!row) throw notFound();
  return toOrderDto(row, user);
}

/** The fields that decide what may happen to an order next, if the caller may see it. */
export async function findOrderState(db: Db, user: AuthUser, orderId: number) {
  const [row] = await db
    .select({ status: orders.status, clientId: orders.clientId, workerId: orders.workerId })
    .from(orders)
    .where(and(eq(orders.id, orderId), visibleTo(user)))
    .limit(1);
  if (!row) throw notFound();
  return row;
}
