import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../drizzle/schema";
import { countingD1, type QueryCounter } from "./query-counter";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

/**
 * The one way modules get a database.
 *
 * Two D1 facts shape how modules query (Drizzle 0.45):
 * - `db.batch` rows come back as objects, so a joined select that repeats a column name (two `id`s)
 *   is mis-mapped inside a batch. Batch writes and single-table reads; for joined lists select
 *   `windowTotal()` with the rows (src/lib/pagination.ts) instead of a count + rows batch.
 * - `db.run(sql\`...\`)` with parameters cannot be batched; use query builders (`insert().values()`
 *   with `sql` values, `insert().select(sql)`) inside batches. `counter` counts round trips for this request
 * (a statement or a whole batch each), so tests and benchmarks can assert them.
 */
export function createDb(env: { DB: D1Database }, counter?: QueryCounter): Db {
  const d1 = counter ? countingD1(env.DB, counter) : env.DB;
  return drizzle(d1, { schema });
}
