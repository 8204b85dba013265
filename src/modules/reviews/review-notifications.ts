import { sql, type SQL } from "drizzle-orm";
import { notifications, reviews } from "../../../drizzle/schema";
import type { Db } from "../../db/client";

const TYPE = "review_notification";

/**
 * Inbox rows for review events, for the batch that makes the change (then `schedulePush(eventId)`).
 * None carries a rating or a comment: a pending review must not reach its subject, and a published
 * one may be hidden later, while inbox rows stay.
 */
function inboxRows(db: Db, notificationType: string, rows: SQL) {
  const eventId = crypto.randomUUID();
  // Insert-from-select lists every column of `notifications` in table order; `rows` yields (user_id, order_id, message, data).
  const statement = db.insert(notifications).select(sql`
    SELECT NULL, n.user_id, ${eventId}, ${TYPE}, ${notificationType}, n.order_id, NULL, n.message, n.data, 0, ${Date.now()}
    FROM (${rows}) n ORDER BY n.user_id, n.order_id`);
  return { eventId, statement };
}

/** To the subject of the party's review on this order, while it is still pending (after the batch's publish step). */
export const reviewReceivedInbox = (db: Db, orderId: number, authorRole: "client" | "worker") =>
  inboxRows(
    db,
    "review_received",
    sql`SELECT r.subject_id AS user_id, r.order_id AS order_id,
          'You received a review for order #' || r.order_id || '. It will be shown once you have reviewed too, or when the review window closes.' AS message,
          '{}' AS data
        FROM ${reviews} r WHERE r.order_id = ${orderId} AND r.author_role = ${authorRole} AND r.published_at IS NULL`,
  );

/** To both parties of every order with a review that the write named `publishBatch` published: once per user and order. */
export const reviewsPublishedInbox = (db: Db, publishBatch: string) =>
  inboxRows(
    db,
    "review_published",
    sql`SELECT p.user_id, p.order_id, 'The reviews for order #' || p.order_id || ' are published.' AS message, '{}' AS data
        FROM (SELECT author_id AS user_id, order_id FROM ${reviews} WHERE publish_batch = ${publishBatch}
              UNION SELECT subject_id, order_id FROM ${reviews} WHERE publish_batch = ${publishBatch}) p`,
  );

/** To the author of a review a moderator just hid (only if the statement right before changed it). */
export const reviewHiddenInbox = (db: Db, reviewId: number) =>
  inboxRows(
    db,
    "review_hidden",
    sql`SELECT r.author_id AS user_id, r.order_id AS order_id,
          'Your review for order #' || r.order_id || ' was hidden by a moderator: ' || r.hidden_reason AS message,
          json_object('review_id', r.id, 'reason', r.hidden_reason) AS data
        FROM ${reviews} r WHERE r.id = ${reviewId} AND changes() = 1`,
  );
