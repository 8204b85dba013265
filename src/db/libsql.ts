import { createClient, type Client } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import * as schema from "../../drizzle/schema";

export interface TursoEnv {
  TURSO_DATABASE_URL?: string;
  TURSO_AUTH_TOKEN?: string;
}

/**
 * The libSQL client a Worker can use: HTTP(S)/WS URLs only (no `file:`; there is no filesystem).
 * Over HTTP, `execute` and `batch` are one request each, and a batch runs on one server-side
 * connection inside BEGIN … COMMIT, rolled back as a whole if any statement fails (as a D1 batch).
 */
export const createLibsqlClient = (url: string, authToken?: string): Client =>
  createClient({ url, authToken: authToken || undefined });

export const libsqlDrizzle = (client: Client) => drizzle(client, { schema });
