import { sql, type SQL } from "drizzle-orm";
import { clientRatings, reviews, workerProfiles } from "../../../drizzle/schema";
import type { Db } from "../../db/client";

/** A review counts towards its subject's rating once published, unless a moderator hid it. */
const counts = sql`r.published_at IS NOT NULL AND r.hidden_at IS NULL`;

/**
 * Recomputes the ratings of the users `subjects` (a query returning user ids) from their counted
 * reviews, for the same `db.batch` as the write that published or hid them: a worker's `rating` and
 * `reviews_count` from clients' reviews, a client's row in `client_ratings` from workers'. Recomputed
 * from all reviews, never incremented, so a repeated or concurrent recompute ends the same.
 */
export function recomputeRatingsStatements(db: Db, subjects: SQL) {
  const ofWorker = (expression: SQL) =>
    sql`(SELECT ${expression} FROM ${reviews} r WHERE r.subject_id = ${workerProfiles.userId} AND r.author_role = 'client' AND ${counts})`;
  return [
    db
      .update(workerProfiles)
      .set({
        ratingHundredths: sql`coalesce(${ofWorker(sql`CAST(round(avg(r.rating) * 100) AS INTEGER)`)}, 0)`,
        reviewsCount: ofWorker(sql`count(*)`),
      })
      .where(sql`${workerProfiles.userId} IN (${subjects})`),
    db.delete(clientRatings).where(sql`${clientRatings.userId} IN (${subjects})`),
    db.insert(clientRatings).select(sql`
      SELECT r.subject_id, CAST(round(avg(r.rating) * 100) AS INTEGER), count(*), ${Date.now()}
      FROM ${reviews} r WHERE r.author_role = 'worker' AND ${counts} AND r.subject_id IN (${subjects})
      GROUP BY r.subject_id`),
  ] as const;
}
