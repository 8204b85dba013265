import { asc, eq } from "drizzle-orm";
import { notifications } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { toNotificationDto, type NotificationDto } from "./notifications.schemas";
import type { UserSockets } from "./user-sockets";

/**
 * The `notifications.push` job: loads the inbox rows one event wrote (one query) and hands each
 * recipient's rows to that user's Durable Object. If any object fails, this throws so the message is
 * retried; the retry pushes to everyone again, which is fine because clients dedupe by `id`.
 */
export async function pushEvent(db: Db, sockets: DurableObjectNamespace<UserSockets>, eventId: string) {
  const rows = await db.select().from(notifications).where(eq(notifications.eventId, eventId)).orderBy(asc(notifications.id));
  const byUser = new Map<number, NotificationDto[]>();
  for (const row of rows) {
    const list = byUser.get(row.userId) ?? [];
    list.push(toNotificationDto(row));
    byUser.set(row.userId, list);
  }
  const results = await Promise.allSettled(
    [...byUser].map(([userId, messages]) => sockets.get(sockets.idFromName(String(userId))).push(messages)),
  );
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failures.length) {
    throw new Error(`Push failed for ${failures.length} of ${byUser.size} users: ${String(failures[0].reason)}`);
  }
  return { users: byUser.size, notifications: rows.length };
}
