import { sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { rowsAffected } from "./results";

const CHUNK = 500;
const MAX_CHUNKS = 200;

/**
 * Deletes the rows of `table` whose ids `idsQuery` selects, CHUNK at a time, so one job never holds
 * a long write lock (D1 limits statement duration). Stops early once a chunk comes back short.
 */
export async function deleteInChunks(db: Db, idsQuery: SQL, table: string): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const result = await db.run(sql`DELETE FROM ${sql.identifier(table)} WHERE id IN (${idsQuery} LIMIT ${CHUNK})`);
    const deleted = rowsAffected(result);
    total += deleted;
    if (deleted < CHUNK) break;
  }
  return total;
}
