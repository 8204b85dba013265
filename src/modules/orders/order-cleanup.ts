import { sql } from "drizzle-orm";
import { notifications, orders } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { rowsAffected } from "../../db/results";

const CHUNK = 200;
const MAX_CHUNKS = 100;

/**
 * Deletes completed and canceled orders last changed before the retention window, with their
 * notifications; history, payments and refunds go with them through ON DELETE CASCADE.
 * Each chunk (notifications first, then the orders) is one atomic batch.
 */
export async function cleanupOrders(db: Db, now: Date, retentionDays: number) {
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  const expired = sql`SELECT id FROM orders WHERE status IN ('completed', 'canceled') AND updated_at < ${cutoff} ORDER BY id LIMIT ${CHUNK}`;
  let deletedOrders = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const [, deleted] = await db.batch([
      db.delete(notifications).where(sql`${notifications.orderId} IN (${expired})`),
      db.delete(orders).where(sql`${orders.id} IN (${expired})`),
    ]);
    const count = rowsAffected(deleted);
    deletedOrders += count;
    if (count < CHUNK) break;
  }
  return { orders: deletedOrders };
}
