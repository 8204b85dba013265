import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { notifications, orderStatusHistory, orders, payments } from "../../drizzle/schema";
import { createApp } from "../../src/app";
import type { Bindings } from "../../src/env";
import { createOrder, createService, db } from "../helpers/factories";
import { reportCounts } from "../helpers/hardening-report";
import { CARD, createWorld, existingParams, roleFor, type World } from "../helpers/hardening-world";
import { BASE, uniqueIp } from "../helpers/http";
import { fillPath, loadDocument, operationsOf, type Operation } from "../helpers/openapi-contract";
import { callStripeApp, failNextStripeRequest } from "../payments/stripe-helpers";

const doc = await loadDocument();
const operations = operationsOf(doc);
const OUTAGE = "D1_ERROR: Network connection lost.";
const app = createApp();

/** Runs one request through the app with `bindings` in place of the real ones, waiting for its background work. */
async function fetchWith(bindings: Partial<Bindings>, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { "CF-Connecting-IP": uniqueIp() };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const ctx = createExecutionContext();
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const response = await app.fetch(new Request(`${BASE}${path}`, { method, headers, body }), { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : null };
}

/** D1 where every statement fails (an outage), or only batches fail (the write transaction is lost mid-request). */
function brokenD1(mode: "outage" | "writes"): D1Database {
  if (mode === "writes") {
    // Requests query through a D1 session, so its batches fail too.
    const failingBatches = <T extends D1Database | D1DatabaseSession>(db: T): T =>
      new Proxy(db, {
        get: (target, name) => {
          if (name === "batch") return () => Promise.reject(new Error(OUTAGE));
          if (name === "withSession") return (constraint: string) => failingBatches((target as D1Database).withSession(constraint));
          return (Reflect.get(target, name) as (...args: unknown[]) => unknown).bind(target);
        },
      });
    return failingBatches(env.DB);
  }
  const fail = () => Promise.reject(new Error(OUTAGE));
  const statement = { bind: () => statement, all: fail, run: fail, raw: fail, first: fail };
  return { prepare: () => statement, batch: fail, exec: fail, withSession: () => ({ prepare: () => statement, batch: fail, getBookmark: () => null }) } as unknown as D1Database;
}

/** Bodies that pass validation, so a write route reaches the database. */
function validBody(op: Operation, world: World): unknown {
  const future = new Date(Date.now() + 86_400_000).toISOString();
  const bodies: Record<string, unknown> = {
    auth_register: { username: `outage_${Date.now()}`, password: "a-Long-enough-pass-42" },
    auth_login: { username: world.users.client.username, password: "whatever-it-is" },
    auth_refresh: { refresh: "x".repeat(43) },
    auth_logout: { refresh: "x".repeat(43) },
    categories_create: { name: `Outage ${Date.now()}` },
    services_create: { name: "S", description: "d", category_id: world.category.id, base_price: "10.00" },
    orders_create: { service_id: world.service.id, description: "d", address: "a", scheduled_date: future },
    orders_change_status: { status: "canceled" },
    payments_pay: CARD,
  };
  return bodies[op.operationId] ?? (op.body ? {} : undefined);
}

describe("faults", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it("a D1 outage is a 503 with Retry-After on every operation that reaches the database, never a 500 with SQL", async (context) => {
    const seen: Record<number, number> = {};
    for (const op of operations) {
      const role = await roleFor(op, world);
      const path = fillPath(op.path, existingParams(op, world, role ?? "client"));
      const res = await fetchWith({ DB: brokenD1("outage") }, op.method, path, { token: role && world.users[role].token, body: validBody(op, world) });
      seen[res.status] = (seen[res.status] ?? 0) + 1;
      expect(res.status, `${op.operationId}: ${res.text}`).not.toBe(500);
      expect(res.text).not.toMatch(/SQLITE|D1_ERROR|select |insert |\.ts:\d/i);
      if (res.status === 503) {
        expect(op.responses["503"] || res.body.code === "service_unavailable", op.operationId).toBeTruthy();
        // The outage's 503 tells the client when to retry. Without that hint it must be a 503 the route
        // answers with a healthy database too (health's report, the Stripe webhook while Stripe is off).
        if (!res.headers.get("Retry-After")) {
          const healthy = await fetchWith({}, op.method, path, { token: role && world.users[role].token, body: validBody(op, world) });
          expect([op.operationId, healthy.status]).toEqual([op.operationId, op.operationId === "health" ? 200 : 503]);
        }
      }
    }
    // Reads and writes of real objects all need the database: most operations must have reached it.
    expect(seen[503]).toBeGreaterThan(operations.length / 2);
    reportCounts(context, { operations: operations.length, unavailable_503: seen[503], server_errors_500: seen[500] ?? 0 });
  });

  it("a write batch lost mid-request is a 503 and leaves no partial write", async (context) => {
    const order = await createOrder();
    const service = await createService();
    const cancel = await fetchWith({ DB: brokenD1("writes") }, "POST", `/api/orders/${order.id}/status/`, { token: order.client.token, body: { status: "canceled" } });
    expect(cancel.status).toBe(503);
    const [after] = await db().select().from(orders).where(eq(orders.id, order.id));
    expect(after.status).toBe("pending");
    expect(await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, order.id))).toHaveLength(1);

    const create = await fetchWith({ DB: brokenD1("writes") }, "POST", "/api/orders/create/", {
      token: order.client.token,
      body: { service_id: service.id, description: "d", address: "a", scheduled_date: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(create.status).toBe(503);
    const created = await db().select().from(orders).where(eq(orders.serviceId, service.id));
    expect(created).toEqual([]);
    reportCounts(context, { requests: 2, partial_writes: created.length });
  });

  it("Durable Objects and the queue failing after commit do not fail the request, and the inbox keeps the notification", async () => {
    const order = await createOrder();
    const broken = {
      USER_NOTIFICATIONS: { idFromName: () => ({}), get: () => ({ push: () => Promise.reject(new Error("Durable Object reset")) }) },
      JOBS: { send: () => Promise.reject(new Error("Queue unavailable")), sendBatch: () => Promise.reject(new Error("Queue unavailable")) },
    } as unknown as Partial<Bindings>;
    const res = await fetchWith(broken, "POST", `/api/orders/${order.id}/status/`, { token: order.client.token, body: { status: "canceled" } });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("canceled");
    const inbox = await db().select().from(notifications).where(and(eq(notifications.userId, order.clientId), eq(notifications.orderId, order.id)));
    expect(inbox.map((n) => n.notificationType)).toContain("canceled");
  });

  it("a gateway timeout leaves a failed, payable order and no stuck or lost payment; paying again succeeds once", async (context) => {
    const order = await createOrder();
    await failNextStripeRequest(504);
    const timedOut = await callStripeApp("POST", `/api/payments/order/${order.id}/pay/`, { token: order.client.token, body: CARD });
    expect(timedOut.status).toBe(201);
    expect(timedOut.body.status).toBe("failed");
    const [stillPending] = await db().select().from(orders).where(eq(orders.id, order.id));
    expect(stillPending.status).toBe("pending");

    const retry = await callStripeApp("POST", `/api/payments/order/${order.id}/pay/`, { token: order.client.token, body: CARD });
    expect([retry.status, retry.body.status]).toEqual([201, "completed"]);
    const rows = await db().select().from(payments).where(eq(payments.orderId, order.id));
    expect(rows.map((p) => p.status).sort()).toEqual(["completed", "failed"]);
    const [paid] = await db().select().from(orders).where(eq(orders.id, order.id));
    expect(paid.status).toBe("paid");
    reportCounts(context, { payments: rows.length, stuck_processing: rows.filter((p) => p.status === "processing").length, completed: rows.filter((p) => p.status === "completed").length });
  });

  it("a retryable gateway failure is kept for the retry job, not dropped", async () => {
    const order = await createOrder();
    const res = await fetchWith({}, "POST", `/api/payments/order/${order.id}/pay/`, { token: order.client.token, body: { ...CARD, card_number: "4000000000000119" } });
    expect([res.status, res.body.status, res.body.failure_code]).toEqual([201, "failed", "processing_error"]);
    const [row] = await db().select().from(payments).where(eq(payments.id, res.body.id));
    expect(row.retryable).toBe(true);
    expect(row.nextRetryAt!.getTime()).toBeGreaterThan(Date.now());
  });
});
