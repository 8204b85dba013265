import { sql, type AnyColumn, type SQL } from "drizzle-orm";

/** D1 binds at most 100 parameters per statement; a statement built from a user-sized list must stay under it. */
const MAX_BOUND_PARAMETERS = 100;

/** `column IN (ids)` with the whole list bound as one JSON parameter, however long it is. */
export const inJsonList = (column: AnyColumn, ids: readonly number[]): SQL =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/** Splits rows for multi-row INSERTs so that each statement binds at most MAX_BOUND_PARAMETERS values. */
export function chunkRows<T extends object>(rows: readonly T[]): T[][] {
  if (!rows.length) return [];
  const perRow = Object.keys(rows[0]).length;
  const size = Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / perRow));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}
