// The crash test's seed rows, written through the D1 binding.
import { DUMMY_PASSWORD_HASH } from "../../src/lib/passwords.ts";

export const ADMIN_ID = 1;
export const CLIENT_IDS = [2, 3, 4, 5, 6, 7];
export const WORKER_IDS = [8, 9, 10];
export const SERVICE_IDS = [1, 2, 3];

/**
 * One admin, clients, workers (with profiles, no specializations: qualified for every service), one
 * category and a service per worker. All workers but the last have an enabled sandbox payout
 * account, so releases both go out and wait for an account.
 */
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
    ...WORKER_IDS.slice(0, -1).map((id) =>
      db
        .prepare("INSERT INTO payout_accounts (user_id, gateway, account_id, status, requirements, created_at, updated_at) VALUES (?, 'sandbox', ?, 'enabled', '[]', ?, ?)")
        .bind(id, `acct_sandbox_${String(id).padStart(32, "0")}`, now, now),
    ),
    db.prepare("INSERT INTO categories (id, name, created_at) VALUES (1, 'Repairs', ?)").bind(now),
    ...SERVICE_IDS.map((id, i) =>
      db
        .prepare("INSERT INTO services (id, name, description, category_id, worker_id, base_price_cents, created_at, updated_at) VALUES (?, ?, '', 1, ?, ?, ?, ?)")
        .bind(id, `Service ${id}`, WORKER_IDS[i], 4_000 + id * 1_250, now, now),
    ),
  ]);
}
