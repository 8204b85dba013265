import { DrizzleD1Database, type drizzle } from "drizzle-orm/d1";
import { SQLiteD1Session } from "drizzle-orm/d1/session";
import { createTableRelationsHelpers, extractTablesRelationalConfig, type RelationalSchemaConfig, type TablesRelationalConfig } from "drizzle-orm/relations";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core/dialect";
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

/**
 * What `drizzle(d1, { schema })` builds on every call but never changes: the SQL dialect and the
 * relational configuration extracted from the schema (the larger part of a no-op request's cost
 * when built per request). Built once per isolate, on first use.
 */
let shared: { dialect: SQLiteAsyncDialect; relational: RelationalSchemaConfig<TablesRelationalConfig> } | undefined;

function sharedDrizzleParts() {
  if (!shared) {
    const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
    shared = { dialect: new SQLiteAsyncDialect(), relational: { fullSchema: schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap } };
  }
  return shared;
}

/** `drizzle(d1, { schema })` with the per-isolate parts: only the session object is new per call. */
function d1Drizzle(d1: D1Database | D1DatabaseSession, counter?: QueryCounter): Db {
  const { dialect, relational } = sharedDrizzleParts();
  const client = (counter ? countingD1(d1, counter) : d1) as D1Database;
  const session = new SQLiteD1Session(client, dialect, relational, {});
  const db = new DrizzleD1Database("async", dialect, session, relational) as unknown as Db;
  (db as { $client: unknown }).$client = client;
  return db;
}

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
