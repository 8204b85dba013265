import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../drizzle/schema";
import { createLibsqlClient, libsqlDrizzle, type TursoEnv } from "./libsql";
import { countingD1, countingLibsql, type QueryCounter } from "./query-counter";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

/**
 * The one way modules get a database: Turso (libSQL over HTTP) when TURSO_DATABASE_URL is set,
 * otherwise the D1 binding. Same schema, same migrations, same query builders.
 *
 * Two D1 facts shape how modules query (Drizzle 0.45):
 * - `db.batch` rows come back as objects, so a joined select that repeats a column name (two `id`s)
 *   is mis-mapped inside a batch. Batch writes and single-table reads; for joined lists select
 *   `windowTotal()` with the rows (src/lib/pagination.ts) instead of a count + rows batch.
 *   (libSQL returns positional rows and maps them correctly; code that follows the D1 rule runs on both.)
 * - `db.run(sql\`...\`)` with parameters cannot be batched; use query builders (`insert().values()`
 *   with `sql` values, `insert().select(sql)`) inside batches. `counter` counts round trips for this request
 * (a statement or a whole batch each), so tests and benchmarks can assert them.
 *
 * On both drivers a batch is one transaction on one connection (so `changes()` in a statement sees
 * the previous one, and a failing statement rolls the whole batch back), affected rows are read with
 * `rowsAffected()` and constraint errors carry SQLite's message (`isUniqueViolation`).
 */
export function createDb(env: { DB: D1Database } & TursoEnv, counter?: QueryCounter): Db {
  if (env.TURSO_DATABASE_URL) {
    const client = createLibsqlClient(env.TURSO_DATABASE_URL, env.TURSO_AUTH_TOKEN);
    // Both are BaseSQLiteDatabase<"async"> with the same query API and `batch`; modules are typed
    // against one `Db`. Only `run()`'s raw result differs, and rowsAffected() reads both shapes.
    return libsqlDrizzle(counter ? countingLibsql(client, counter) : client) as unknown as Db;
  }
  return d1Drizzle(env.DB, counter);
}

const d1Drizzle = (d1: D1Database | D1DatabaseSession, counter?: QueryCounter): Db =>
  drizzle((counter ? countingD1(d1, counter) : d1) as D1Database, { schema });

/** A request's database: queries run in one D1 session, whose latest bookmark goes back to the client. */
export interface SessionDb {
  db: Db;
  /** Null before the first query, and always on libSQL (which has no replicas to be consistent with). */
  bookmark: () => string | null;
}

/**
 * D1 Sessions API: `constraint` is `"first-primary"`, `"first-unconstrained"` (the first query may
 * use the nearest replica) or a bookmark the client got earlier, so the session reads at least as
 * new a state as the one the client last saw, its own writes included. Replication off (and local
 * development) runs the same code: every session is served by the primary.
 */
export function createSessionDb(env: { DB: D1Database } & TursoEnv, counter: QueryCounter, constraint: string): SessionDb {
  if (env.TURSO_DATABASE_URL) return { db: createDb(env, counter), bookmark: () => null };
  const session = env.DB.withSession(constraint);
  return { db: d1Drizzle(session, counter), bookmark: () => session.getBookmark() };
}
