// Applies migrations/ (the same SQL files D1 uses) to a Turso / libSQL database with Drizzle's
// libSQL migrator, which records what it applied in `__drizzle_migrations`.
// Usage: TURSO_DATABASE_URL=libsql://… TURSO_AUTH_TOKEN=… npm run db:migrate:turso
//        (a local sqld: TURSO_DATABASE_URL=http://127.0.0.1:8080; a local file: file:local.db)
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");

/** Brings the database at `url` up to date; safe to run again (applied migrations are skipped). */
export async function migrateLibsql(url: string, authToken?: string): Promise<void> {
  const client = createClient({ url, authToken: authToken || undefined });
  try {
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    client.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.TURSO_DATABASE_URL;
  if (!url) {
    console.error("db:migrate:turso: set TURSO_DATABASE_URL (and TURSO_AUTH_TOKEN for Turso Cloud).");
    process.exit(1);
  }
  await migrateLibsql(url, process.env.TURSO_AUTH_TOKEN);
  console.log(`db:migrate:turso: ${new URL(url).host || url} is up to date.`);
}
