import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createClient } from "@libsql/client/web";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { categories, orderStatusHistory, orders, services, users, workerProfiles } from "../../drizzle/schema";
import { createApp } from "../../src/app";
import { createDb } from "../../src/db/client";
import { errorChainText, isUniqueViolation, rowsAffected } from "../../src/db/results";
import { isGuardFailure } from "../../src/db/guards";
import { transitionStatements } from "../../src/modules/orders/order-transitions";
import { createCategory, createOrder, createService, createUser, db, unique } from "../helpers/factories";
import { BASE } from "../helpers/http";

/**
 * The data-layer guarantees modules rely on. This file runs in both suites (`npm test` on D1,
 * `npm run test:turso` on sqld), so each assertion holds for both drivers.
 */

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the statement to fail");
}

const historyOf = (orderId: number) => db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, orderId));

describe("batch", () => {
  it("commits every statement together", async () => {
    const [a, b] = [unique("BatchA"), unique("BatchB")];
    const results = await db().batch([db().insert(categories).values({ name: a }), db().insert(categories).values({ name: b })]);
    expect(results.map(rowsAffected)).toEqual([1, 1]);
    const rows = await db().select().from(categories).where(sql`${categories.name} IN (${a}, ${b})`);
    expect(rows).toHaveLength(2);
  });

  it("rolls back every statement when one fails, and the unique violation is recognisable", async () => {
    const taken = (await createCategory()).name;
    const fresh = unique("Rolledback");
    const error = await caught(
      db().batch([db().insert(categories).values({ name: fresh }), db().insert(categories).values({ name: taken })]),
    );
    expect(isUniqueViolation(error)).toBe(true);
    expect(await db().select().from(categories).where(eq(categories.name, fresh))).toEqual([]);
  });

  it("reads back rows of several tables in one batch", async () => {
    const service = await createService();
    const [serviceRows, ownerRows] = await db().batch([
      db().select({ id: services.id, name: services.name }).from(services).where(eq(services.id, service.id)),
      db().select({ id: users.id, username: users.username }).from(users).where(eq(users.id, service.owner.id)),
    ]);
    expect(serviceRows).toEqual([{ id: service.id, name: service.name }]);
    expect(ownerRows).toEqual([{ id: service.owner.id, username: service.owner.username }]);
  });
});

describe("errors and affected rows", () => {
  it("recognises a unique violation outside a batch (case-insensitive username index)", async () => {
    const user = await createUser();
    const error = await caught(db().insert(users).values({ username: user.username.toUpperCase(), passwordHash: "x" }));
    expect(isUniqueViolation(error)).toBe(true);
  });

  it("does not mistake other constraint failures for unique violations", async () => {
    const error = await caught(db().insert(workerProfiles).values({ userId: 2_000_000_000 }));
    expect(errorChainText(error)).toMatch(/FOREIGN KEY constraint failed/);
    expect(isUniqueViolation(error)).toBe(false);
  });

  it("counts the rows an UPDATE changed, including none", async () => {
    const category = await createCategory();
    const changed = await db().update(categories).set({ description: "x" }).where(eq(categories.id, category.id));
    const unchanged = await db().update(categories).set({ description: "y" }).where(eq(categories.id, -1));
    expect([rowsAffected(changed), rowsAffected(unchanged)]).toEqual([1, 0]);
  });

  it("cascades deletes along foreign keys", async () => {
    const worker = await createUser("worker");
    await db().delete(users).where(eq(users.id, worker.id));
    expect(await db().select().from(workerProfiles).where(eq(workerProfiles.userId, worker.id))).toEqual([]);
  });
});

describe("guarded transitions", () => {
  it("applies the UPDATE and its history row when the order is in the expected state", async () => {
    const order = await createOrder();
    await db().batch(transitionStatements(db(), { orderId: order.id, from: "pending", to: "canceled", actorId: order.client.id }));
    const [row] = await db().select({ status: orders.status }).from(orders).where(eq(orders.id, order.id));
    expect(row.status).toBe("canceled");
    expect((await historyOf(order.id)).map((h) => h.status)).toEqual(["pending", "canceled"]);
  });

  it("rolls back the whole batch when the guard fails (changes() sees the guarded UPDATE)", async () => {
    const order = await createOrder();
    const note = unique("Never");
    const error = await caught(
      db().batch([
        ...transitionStatements(db(), { orderId: order.id, from: "paid", to: "in_progress", actorId: null }),
        db().insert(categories).values({ name: note }),
      ]),
    );
    expect(isGuardFailure(error, "order")).toBe(true);
    const [row] = await db().select({ status: orders.status }).from(orders).where(eq(orders.id, order.id));
    expect(row.status).toBe("pending");
    expect(await historyOf(order.id)).toHaveLength(1);
    expect(await db().select().from(categories).where(eq(categories.name, note))).toEqual([]);
  });

  it("lets exactly one of several concurrent identical transitions win", async () => {
    const order = await createOrder({ status: "paid" });
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        db().batch(transitionStatements(db(), { orderId: order.id, from: "paid", to: "canceled", actorId: null })),
      ),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const a of attempts) if (a.status === "rejected") expect(isGuardFailure(a.reason, "order")).toBe(true);
    expect((await historyOf(order.id)).filter((h) => h.status === "canceled")).toHaveLength(1);
  });
});

describe("full-text search (FTS5)", () => {
  const search = (term: string) =>
    db().all<{ id: number }>(sql`SELECT rowid AS id FROM services_fts WHERE services_fts MATCH ${`"${term}"`}`);

  it("indexes inserts and follows renames, folding diacritics", async () => {
    const word = unique("zq").replaceAll("_", "");
    const service = await createService({ name: `Café ${word}` });
    expect(await search(word)).toEqual([{ id: service.id }]);
    expect((await search("cafe")).map((r) => r.id)).toContain(service.id);

    await db().update(services).set({ name: "Renamed" }).where(eq(services.id, service.id));
    expect(await search(word)).toEqual([]);
  });
});

describe("driver", () => {
  /** Reads a user straight from the backing store, bypassing createDb. */
  async function storedUsernames(id: number): Promise<unknown[]> {
    if (!env.TURSO_DATABASE_URL) {
      const { results } = await env.DB.prepare("SELECT username FROM users WHERE id = ?").bind(id).all();
      return results.map((r) => r.username);
    }
    const client = createClient({ url: env.TURSO_DATABASE_URL });
    const { rows } = await client.execute({ sql: "SELECT username FROM users WHERE id = ?", args: [id] });
    return rows.map((r) => r.username);
  }

  it("writes to libSQL when TURSO_DATABASE_URL is set, to D1 otherwise", async () => {
    const user = await createUser();
    expect(await storedUsernames(user.id)).toEqual([user.username]);
  });

  it("answers 503 with a retry hint when the libSQL server is unreachable", async () => {
    const admin = await createUser("admin");
    const unreachable = { ...env, TURSO_DATABASE_URL: "http://127.0.0.1:1" };
    const get = (path: string) =>
      createApp().fetch(new Request(`${BASE}${path}`, { headers: { Authorization: `Bearer ${admin.token}` } }), unreachable, createExecutionContext());
    const health = await get("/api/health/");
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ checks: { database: "error" } });
    const list = await get("/api/users/");
    expect(list.status).toBe(503);
    expect(list.headers.get("Retry-After")).toBe("1");
  });
});

describe("round-trip counter", () => {
  it("counts one per statement and one per batch", async () => {
    const counter = { count: 0 };
    const counted = createDb(env, counter);
    await counted.select().from(categories).limit(1);
    expect(counter.count).toBe(1);
    await counted.batch([counted.select().from(categories).limit(1), counted.select().from(users).limit(1), counted.select().from(orders).limit(1)]);
    expect(counter.count).toBe(2);
    await counted.run(sql`SELECT 1`);
    expect(counter.count).toBe(3);
  });
});
