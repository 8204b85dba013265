import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { purgeExpiredIdempotencyKeys } from "../../lib/idempotency";
import { deleteInChunks } from "../../db/delete-in-chunks";

/**
 * Purges refresh tokens that can never be used again (expired, or revoked with their family).
 * Rotated-but-unexpired tokens stay: presenting one is how reuse (theft) is detected.
 * Also purges expired idempotency records.
 */
export async function cleanupTokens(db: Db, now: Date) {
  const ms = now.getTime();
  const refreshTokens = await deleteInChunks(
    db,
    sql`SELECT id FROM refresh_tokens WHERE expires_at < ${ms} OR revoked_at IS NOT NULL`,
    "refresh_tokens",
  );
  const idempotencyKeys = await purgeExpiredIdempotencyKeys(db, now);
  return { refreshTokens, idempotencyKeys };
}
