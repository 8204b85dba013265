import type { AppContext } from "../../context";
import { and, desc, eq, getTableColumns } from "drizzle-orm";
import { notifications } from "../../../drizzle/schema";
import { rowsAffected } from "../../db/results";
import { notFound } from "../../lib/errors";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import { toNotificationDto } from "./notifications.schemas";

const ownedBy = (userId: number) => eq(notifications.userId, userId);

/** The caller's inbox, newest first, in one query (rows carry the total). */
export async function listInbox(ctx: AppContext, userId: number, url: string, page: PageRequest, unread?: boolean) {
  const { db } = ctx;
  const rows = await db
    .select({ ...getTableColumns(notifications), total: windowTotal() })
    .from(notifications)
    .where(and(ownedBy(userId), unread === undefined ? undefined : eq(notifications.read, !unread)))
    .orderBy(desc(notifications.id))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, toNotificationDto);
}

/** Marks one of the caller's notifications read; someone else's (or a missing one) is a 404. */
export async function markRead(ctx: AppContext, userId: number, id: number) {
  const { db } = ctx;
  const [row] = await db
    .update(notifications)
    .set({ read: true })
    .where(and(eq(notifications.id, id), ownedBy(userId)))
    .returning();
  if (!row) throw notFound();
  return toNotificationDto(row);
}

export async function markAllRead(ctx: AppContext, userId: number) {
  const { db } = ctx;
  const result = await db
    .update(notifications)
    .set({ read: true })
    .where(and(ownedBy(userId), eq(notifications.read, false)));
  return { updated: rowsAffected(result) };
}
