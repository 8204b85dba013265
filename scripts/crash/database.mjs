// The crash test's data: migrations and seed rows written through the D1 binding, and access
// tokens signed with the JWT secret (no PBKDF2 logins).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import { DUMMY_PASSWORD_HASH } from "../../src/lib/passwords.ts";

const root = join(import.meta.dirname, "../..");

export const ADMIN_ID = 1;
export const CLIENT_IDS = [2, 3, 4, 5, 6, 7];
export const WORKER_IDS = [8, 9, 10];
export const SERVICE_IDS = [1, 2, 3];

export async function migrate(db) {
  const dir = join(root, "migrations");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    for (const statement of readFileSync(join(dir, file), "utf8").split("--> statement-breakpoint")) {
      const text = statement.replace(/^\s*--.*$/gm, "").trim();
      if (text) await db.prepare(text).run();
    }
  }
}

/** One admin, clients, workers (with profiles, no specializations: qualified for every service), one category and a service per worker. */
export async function seed(db) {
  const now = Date.now();
  const users = [
    [ADMIN_ID, "admin"],
    ...CLIENT_IDS.map((id) => [id, "client"]),
    ...WORKER_IDS.map((id) => [id, "worker"]),
  ];
  await db.batch([
    ...users.map(([id, role]) =>
      db
        .prepare("INSERT INTO users (id, username, email, role, password_hash, is_active, date_joined) VALUES (?, ?, ?, ?, ?, 1, ?)")
        .bind(id, `${role}${id}`, `${role}${id}@example.com`, role, DUMMY_PASSWORD_HASH, now),
    ),
    ...WORKER_IDS.map((id) => db.prepare("INSERT INTO worker_profiles (user_id, created_at, updated_at) VALUES (?, ?, ?)").bind(id, now, now)),
    db.prepare("INSERT INTO categories (id, name, created_at) VALUES (1, 'Repairs', ?)").bind(now),
    ...SERVICE_IDS.map((id, i) =>
      db
        .prepare("INSERT INTO services (id, name, description, category_id, worker_id, base_price_cents, created_at, updated_at) VALUES (?, ?, '', 1, ?, ?, ?, ?)")
        .bind(id, `Service ${id}`, WORKER_IDS[i], 4_000 + id * 1_250, now, now),
    ),
  ]);
}

export async function accessToken(secret, userId, role) {
  return new SignJWT({ role, token_type: "access" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(userId))
    .setIssuer("service-marketplace")
    .setAudience("service-marketplace-api")
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(secret));
}
