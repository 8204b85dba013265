import { sql, type SQL } from "drizzle-orm";
import { reviews } from "../../../drizzle/schema";
import type { AppContext } from "../../context";
import type { Db } from "../../db/client";
import { rowsAffected } from "../../db/results";
import { schedulePush } from "../notifications/notification-events";
import { reviewsPublishedInbox } from "./review-notifications";
import { recomputeRatingsStatements } from "./review-ratings";

/**
 * Publishes the still unpublished reviews among `which` (SQL over `reviews`), tagging them with a
 * fresh batch id; in the same `db.batch`, the ratings of their subjects are recomputed and both
 * parties told. The `published_at IS NULL` guard makes each review published by exactly one write,
 * however many race for it (a second review, the window's job), and only that write notifies.
 */
function publishStatements(db: Db, which: SQL, now: number) {
  const batch = crypto.randomUUID();
  const published = reviewsPublishedInbox(db, batch);
  const statements = [
    db
      .update(reviews)
      .set({ publishedAt: new Date(now), publishBatch: batch })
      .where(sql`${reviews.publishedAt} IS NULL AND ${which}`),
    ...recomputeRatingsStatements(db, sql`SELECT subject_id FROM ${reviews} WHERE publish_batch = ${batch}`),
    published.statement,
  ] as const;
  return { eventId: published.eventId, statements };
}

/** Both parties of the order have reviewed: publish them (nothing happens while only one has). */
export const publishWhenBothReviewed = (db: Db, orderId: number, now: number) =>
  publishStatements(db, sql`${reviews.orderId} = ${orderId} AND (SELECT count(*) FROM ${reviews} b WHERE b.order_id = ${orderId}) = 2`, now);

const CHUNK = 200;
const MAX_CHUNKS = 50;

/**
 * The `review-publish` job (every minute): publishes reviews whose window has closed, oldest due
 * first, in chunks (each one batch). Reruns and overlapping runs publish nothing twice.
 */
export async function publishDueReviews(ctx: AppContext, now: Date) {
  const { db, outbox } = ctx;
  const due = sql`${reviews.id} IN (SELECT id FROM ${reviews} WHERE published_at IS NULL AND publish_due_at <= ${now.getTime()}
    ORDER BY publish_due_at, id LIMIT ${CHUNK})`;
  let published = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const { eventId, statements } = publishStatements(db, due, now.getTime());
    const [update] = await db.batch(statements);
    const count = rowsAffected(update);
    if (count) schedulePush(outbox, eventId);
    published += count;
    if (count < CHUNK) break;
  }
  return { published };
}
