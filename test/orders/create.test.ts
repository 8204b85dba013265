import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { notifications, orderStatusHistory, orders } from "../../drizzle/schema";
import { call, withinOneRateWindow } from "../helpers/http";
import { createService, createUser, db } from "../helpers/factories";

const future = () => new Date(Date.now() + 3 * 86_400_000).toISOString();
const validBody = (serviceId: number) => ({
  service_id: serviceId,
  description: "Fix the leaking sink",
  address: "1 Main St",
  scheduled_date: future(),
});

describe("POST /api/orders/create/", () => {
  it("creates a pending order priced by the server, with history and the client's notification", async () => {
    const client = await createUser("client");
    const service = await createService({ priceCents: 12_550 });
    const res = await call("POST", "/api/orders/create/", {
      token: client.token,
      body: { ...validBody(service.id), quantity: 3, total_price: "0.01", status: "completed", worker: service.owner.id },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      service: { id: service.id, base_price: "125.50", worker: { id: service.owner.id } },
      client: { id: client.id, username: client.username },
      worker: null,
      quantity: 3,
      total_price: "376.50",
      status: "pending",
      completed_at: null,
    });
    expect(res.body.service.category.id).toBe(service.categoryId);
    expect(res.body.status_history).toEqual([
      expect.objectContaining({ status: "pending", comment: "Order created", created_by: expect.objectContaining({ id: client.id }) }),
    ]);
    expect(res.body.client).not.toHaveProperty("password_hash");
    // One batch writes the order (priced inside the INSERT), its history and inbox rows; one query reads it back.
    expect(res.headers.get("X-DB-Queries")).toBe("3"); // +1: the caller's account check

    const orderId = res.body.id;
    const [row] = await db().select().from(orders).where(eq(orders.id, orderId));
    expect(row).toMatchObject({ totalPriceCents: 37_650, status: "pending", workerId: null });
    const inbox = await db().select().from(notifications).where(eq(notifications.orderId, orderId));
    expect(inbox).toContainEqual(expect.objectContaining({ userId: client.id, notificationType: "order_created" }));
  });

  it("accepts `service` as an alias, defaults quantity to 1 and gives each order its own id", async () => {
    const client = await createUser("client");
    const service = await createService({ priceCents: 5000 });
    const { service_id: _unused, ...rest } = validBody(service.id);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call("POST", "/api/orders/create/", { token: client.token, body: { ...rest, service: service.id } })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(5);
    for (const r of results) {
      expect(r.body).toMatchObject({ quantity: 1, total_price: "50.00" });
      const history = await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, r.body.id));
      expect(history).toHaveLength(1);
    }
  });

  it("rejects an unknown or inactive service naming service_id", async () => {
    const client = await createUser("client");
    const inactive = await createService({ isActive: false });
    for (const serviceId of [inactive.id, 999_999]) {
      const res = await call("POST", "/api/orders/create/", { token: client.token, body: validBody(serviceId) });
      expect(res.status).toBe(400);
      expect(res.body).toHaveProperty("service_id");
    }
    expect(await db().select().from(orders).where(eq(orders.serviceId, inactive.id))).toHaveLength(0);
  });

  it("validates every field", async () => {
    const client = await createUser("client");
    const service = await createService();
    const base = validBody(service.id);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, service_id: undefined }, "service_id"],
      [{ ...base, service_id: "abc" }, "service_id"],
      [{ ...base, description: "  " }, "description"],
      [{ ...base, address: undefined }, "address"],
      [{ ...base, scheduled_date: new Date(Date.now() - 60_000).toISOString() }, "scheduled_date"],
      [{ ...base, scheduled_date: "next tuesday" }, "scheduled_date"],
      [{ ...base, quantity: 0 }, "quantity"],
      [{ ...base, quantity: 101 }, "quantity"],
      [{ ...base, quantity: 1.5 }, "quantity"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", "/api/orders/create/", { token: client.token, body });
      expect(res.status, field).toBe(400);
      expect(res.body, field).toHaveProperty(field);
    }
    const notJson = await call("POST", "/api/orders/create/", { token: client.token, body: "{nope" });
    expect(notJson.status).toBe(400);
    const noBody = await call("POST", "/api/orders/create/", { token: client.token });
    expect([400, 415]).toContain(noBody.status);
  });

  it("limits each client to 20 orders a minute: the next gets 429 with Retry-After and creates nothing; others are still served", async () => {
    const client = await createUser("client");
    const service = await createService();
    await withinOneRateWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await call("POST", "/api/orders/create/", { token: client.token, body: validBody(service.id) })).status);
    expect(statuses).toEqual(Array(20).fill(201));
    const limited = await call("POST", "/api/orders/create/", { token: client.token, body: validBody(service.id) });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("rate_limited");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await db().select().from(orders).where(eq(orders.clientId, client.id))).toHaveLength(20);
    const other = await createUser("client");
    expect((await call("POST", "/api/orders/create/", { token: other.token, body: validBody(service.id) })).status).toBe(201);
  });

  it("is for clients only, checked before the body", async () => {
    const service = await createService();
    expect((await call("POST", "/api/orders/create/", { body: validBody(service.id) })).status).toBe(401);
    const worker = await createUser("worker");
    const admin = await createUser("admin");
    for (const user of [worker, admin]) {
      const res = await call("POST", "/api/orders/create/", { token: user.token, body: { junk: true } });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("permission_denied");
    }
  });
});
