import type { AppContext } from "../../context";
import { and, asc, eq, isNotNull, lt, sql } from "drizzle-orm";
import { orders } from "../../../drizzle/schema";
import { logEvent } from "../../lib/log";
import { inboxInserts, schedulePush } from "../notifications/notification-events";
import type { Outbox } from "../../context";
import { qualifiedFor } from "./order-visibility";

/** Workers told per step: one inbox INSERT of this many rows, then the next step is queued. */
const ANNOUNCE_CHUNK = 500;
/** An announcement that made no progress for this long lost its queue message (a crash): the auto-assign run resumes it. */
export const ANNOUNCE_STALLED_MS = 2 * 60 * 1000;

/** The next chunk of available, active workers qualified for the order, above worker id `after`, by id. */
const workersAfter = (orderId: number, after: number, chunk: number) => sql`
  SELECT wp.user_id AS user_id FROM worker_profiles wp JOIN users u ON u.id = wp.user_id
  WHERE wp.is_available = 1 AND u.is_active = 1 AND u.role = 'worker' AND wp.user_id > ${after}
    AND ${qualifiedFor(sql`wp.user_id`, sql`(SELECT service_id FROM orders WHERE id = ${orderId})`)}
  ORDER BY wp.user_id LIMIT ${chunk}`;

/** Queues the announcement of a just-created order; if the message is lost, the auto-assign run resumes it. */
export function scheduleAnnouncement(outbox: Outbox, orderId: number): void {
  outbox.waitUntil(
    outbox.jobs.send({ type: "orders.announce", orderId, after: 0 }).catch((error: unknown) => {
      logEvent("announce_enqueue_failed", { order_id: orderId, error: String(error) });
    }),
  );
}

/**
 * One step of announcing a new order: tells the next chunk of qualified workers and moves the
 * order's cursor past them in one batch, then queues the next step. The cursor UPDATE is guarded on
 * `after`, so a repeated or concurrent step (queue redelivery, a resumed announcement) tells nobody twice.
 */
export async function announceOrder(ctx: AppContext, orderId: number, after: number, chunk = ANNOUNCE_CHUNK) {
  const { db, outbox } = ctx;
  const workers = workersAfter(orderId, after, chunk);
  const told = inboxInserts(db, { kind: "order_available", orderId, workers }, { afterChange: true });
  const [advanced] = await db.batch([
    db
      .update(orders)
      .set({ announceAfter: sql`CASE WHEN (SELECT count(*) FROM (${workers})) < ${chunk} THEN NULL ELSE (SELECT max(user_id) FROM (${workers})) END` })
      .where(and(eq(orders.id, orderId), eq(orders.announceAfter, after)))
      .returning({ next: orders.announceAfter }),
    ...told.statements,
  ]);
  if (!advanced.length) return { stepped: false, next: null };
  schedulePush(outbox, told.eventId);
  const { next } = advanced[0];
  if (next !== null) await outbox.jobs.send({ type: "orders.announce", orderId, after: next });
  return { stepped: true, next };
}

/** Re-queues announcements whose chain of steps stopped (a message lost to a crash); a live chain ignores the duplicate step. */
export async function resumeStalledAnnouncements(ctx: AppContext, now: Date): Promise<number> {
  const { db, outbox } = ctx;
  const stalled = await db
    .select({ id: orders.id, after: orders.announceAfter })
    .from(orders)
    .where(and(isNotNull(orders.announceAfter), lt(orders.createdAt, new Date(now.getTime() - ANNOUNCE_STALLED_MS))))
    .orderBy(asc(orders.createdAt))
    .limit(100);
  if (stalled.length) await outbox.jobs.sendBatch(stalled.map(({ id, after }) => ({ body: { type: "orders.announce" as const, orderId: id, after: after ?? 0 } })));
  return stalled.length;
}
