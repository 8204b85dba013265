import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../drizzle/schema";
import { countingD1, type QueryCounter } from "./query-counter";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

/**
 * The one way modules get a database. `counter` counts round trips for this request
 * (a statement or a whole batch each), so tests and benchmarks can assert them.
 */
export function createDb(env: { DB: D1Database }, counter?: QueryCounter): Db {
  const d1 = counter ? countingD1(env.DB, counter) : env.DB;
  return drizzle(d1, { schema });
}
