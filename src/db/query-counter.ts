import type { Client } from "@libsql/client/web";

export interface QueryCounter {
  count: number;
}

const EXECUTORS = new Set(["all", "run", "raw", "first"]);

/**
 * Wraps a D1 binding (or one of its sessions) so every round trip to the database (one statement, or one batch of
 * statements) increments `counter.count`. Batches are handed the unwrapped statements.
 */
export function countingD1<T extends D1Database | D1DatabaseSession>(db: T, counter: QueryCounter): T {
  const unwrapped = new WeakMap<object, D1PreparedStatement>();

  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (typeof prop === "string" && EXECUTORS.has(prop)) {
          return (...args: unknown[]) => {
            counter.count++;
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    unwrapped.set(proxy, statement);
    return proxy;
  };

  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrap(target.prepare(query));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counter.count++;
          return target.batch(statements.map((s) => unwrapped.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const LIBSQL_ROUND_TRIPS = new Set(["execute", "batch", "migrate", "executeMultiple"]);

/**
 * Wraps a libSQL client the same way: `execute` (one statement) and `batch` (one pipelined HTTP
 * request, one transaction) each count as one round trip.
 */
export function countingLibsql(client: Client, counter: QueryCounter): Client {
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (typeof prop === "string" && LIBSQL_ROUND_TRIPS.has(prop)) {
        return (...args: unknown[]) => {
          counter.count++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
}
