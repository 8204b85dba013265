// Seeds a benchmark database with literal multi-row INSERTs (no bound parameters, so the
// 100-parameter limit of D1 statements does not apply).
const CHUNK = 500;
const WORDS = ["plumbing", "cleaning", "painting", "wiring", "gardening", "moving", "roofing", "tiling", "repair", "assembly", "tutoring", "catering"];
const DAY = 86_400_000;

const q = (v) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`);

async function insertRows(db, table, columns, rows) {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows.slice(i, i + CHUNK).map((r) => `(${r.map(q).join(",")})`).join(",");
    await db.prepare(`INSERT INTO ${table} (${columns.join(",")}) VALUES ${values}`).run();
  }
}

/** Deterministic pseudo-random numbers, so every run seeds the same data. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * `workers` defaults to a fifth of the users, 80% of them available (all workers qualify for every
 * service: none declares specializations); `allAvailable` makes every worker available.
 */
export async function seed(db, { users = 1000, services = 10_000, orders = 50_000, categories = 20, passwordHash, workers: workerCount, allAvailable = false }) {
  const rand = rng(42);
  const now = Date.now();
  const workers = workerCount ?? Math.max(1, Math.floor(users * 0.2));
  const admins = 1;

  const userRows = [];
  for (let i = 1; i <= users; i++) {
    const role = i <= admins ? "admin" : i <= admins + workers ? "worker" : "client";
    userRows.push([i, `${role}${i}`, `${role}${i}@example.com`, role, passwordHash, 1, now - i * 1000]);
  }
  await insertRows(db, "users", ["id", "username", "email", "role", "password_hash", "is_active", "date_joined"], userRows);
  const workerIds = userRows.filter((u) => u[3] === "worker").map((u) => u[0]);
  const clientIds = userRows.filter((u) => u[3] === "client").map((u) => u[0]);
  await insertRows(
    db,
    "worker_profiles",
    ["user_id", "rating_hundredths", "is_available", "experience_years", "created_at", "updated_at"],
    workerIds.map((id) => [id, Math.floor(rand() * 500), allAvailable || rand() < 0.8 ? 1 : 0, Math.floor(rand() * 20), now, now]),
  );
  await insertRows(
    db,
    "categories",
    ["id", "name", "description", "created_at"],
    Array.from({ length: categories }, (_, i) => [i + 1, `Category ${i + 1}`, "", now]),
  );
  const serviceRows = [];
  for (let i = 1; i <= services; i++) {
    const a = WORDS[Math.floor(rand() * WORDS.length)];
    const b = WORDS[Math.floor(rand() * WORDS.length)];
    serviceRows.push([
      i,
      `${a} ${b} ${i}`,
      `Professional ${a} and ${b} service number ${i}`,
      1 + (i % categories),
      workerIds[i % workerIds.length],
      1000 + Math.floor(rand() * 100_000),
      1 + (i % 8),
      rand() < 0.95 ? 1 : 0,
      now - i * 60_000,
      now - i * 60_000,
    ]);
  }
  await insertRows(
    db,
    "services",
    ["id", "name", "description", "category_id", "worker_id", "base_price_cents", "duration_hours", "is_active", "created_at", "updated_at"],
    serviceRows,
  );
  const statuses = ["pending", "paid", "in_progress", "completed", "canceled"];
  const orderRows = [];
  for (let i = 1; i <= orders; i++) {
    const service = serviceRows[Math.floor(rand() * serviceRows.length)];
    const status = statuses[Math.floor(rand() * statuses.length)];
    const created = now - Math.floor(rand() * 200 * DAY);
    orderRows.push([
      i,
      service[0],
      clientIds[i % clientIds.length],
      status === "pending" ? null : service[4],
      "Benchmark order",
      "1 Bench St",
      created + 7 * DAY,
      1,
      service[5],
      status,
      created,
      created,
      status === "completed" ? created + DAY : null,
    ]);
  }
  await insertRows(
    db,
    "orders",
    ["id", "service_id", "client_id", "worker_id", "description", "address", "scheduled_date", "quantity", "total_price_cents", "status", "created_at", "updated_at", "completed_at"],
    orderRows,
  );
  await insertRows(
    db,
    "order_status_history",
    ["order_id", "status", "comment", "created_by_id", "created_at"],
    orderRows.map((o) => [o[0], o[9], "", o[2], o[10]]),
  );
  const activeServiceIds = serviceRows.filter((s) => s[7] === 1).map((s) => s[0]);
  // Pending orders, each paid at most once across the whole run (the pay scenario takes them in turn).
  const pendingOrders = orderRows.filter((o) => o[9] === "pending").map((o) => ({ id: o[0], clientId: o[2] }));
  return { clientIds, workerIds, firstActiveServiceId: activeServiceIds[0], activeServiceIds, pendingOrders, nextPending: { i: 0 } };
}
