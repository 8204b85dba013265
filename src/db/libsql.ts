import { createClient, type Client, type TransactionMode } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import * as schema from "../../drizzle/schema";

export interface TursoEnv {
  TURSO_DATABASE_URL?: string;
  TURSO_AUTH_TOKEN?: string;
}

/**
 * The libSQL client a Worker can use: HTTP(S)/WS URLs only (no `file:`; there is no filesystem).
 * Over HTTP, `execute` and `batch` are one request each, and a batch runs on one server-side
 * connection inside a transaction, rolled back as a whole if any statement fails (as a D1 batch).
 *
 * Drizzle calls `batch` without a mode, which libSQL runs as BEGIN DEFERRED: the write lock is only
 * taken mid-transaction, and concurrent writers upgrading their locks can wedge the server (seen on
 * sqld: every writer stuck, reads still served). Batches here are writes, so they run as `"write"`
 * (BEGIN IMMEDIATE) and queue for the lock up front.
 */
export function createLibsqlClient(url: string, authToken?: string): Client {
  const client = createClient({ url, authToken: authToken || undefined });
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "batch") {
        return (statements: Parameters<Client["batch"]>[0], mode: TransactionMode = "write") => target.batch(statements, mode);
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export const libsqlDrizzle = (client: Client) => drizzle(client, { schema });
