import { describe, expect, it } from "vitest";
import { orderStatusHistory } from "../../drizzle/schema";
import { createOrder, createService, createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";

const ids = (res: { body: { results?: { id: number }[] } }) => (res.body.results ?? []).map((o) => o.id);

describe("GET /api/orders/{id}/", () => {
  it("returns the order with service, users and history in one round trip", async () => {
    const worker = await createUser("worker");
    const order = await createOrder({ workerId: worker.id, status: "paid" });
    const res = await call("GET", `/api/orders/${order.id}/`, { token: order.client.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-DB-Queries")).toBe("2"); // +1: the caller's account check
    expect(res.body).toMatchObject({
      id: order.id,
      service: { id: order.service.id, category: { id: order.service.categoryId }, worker: { id: order.service.owner.id } },
      client: { id: order.client.id },
      worker: { id: worker.id, role: "worker" },
      status: "paid",
      total_price: "50.00",
      status_history: [{ status: "paid", created_by: { id: order.client.id } }],
    });
    expect(res.body.scheduled_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Object.keys(res.body).sort()).toEqual(
      [
        "id", "service", "client", "client_rating", "worker", "description", "address", "scheduled_date", "quantity",
        "total_price", "status", "status_history", "created_at", "updated_at", "completed_at", "escrow",
      ].sort(),
    );
  });

  it("shows system-made history entries (payments) with a null author, oldest entry first", async () => {
    const order = await createOrder();
    await db().insert(orderStatusHistory).values({ orderId: order.id, status: "paid", comment: "Payment received", createdById: null });
    const res = await call("GET", `/api/orders/${order.id}/`, { token: order.client.token });
    expect(res.body.status_history.map((h: { status: string }) => h.status)).toEqual(["pending", "paid"]);
    expect(res.body.status_history[1]).toMatchObject({ comment: "Payment received", created_by: null });
  });

  it("shows an order to its parties and admins, and 404s for everyone else", async () => {
    const worker = await createUser("worker");
    const order = await createOrder({ workerId: worker.id, status: "in_progress" });
    const admin = await createUser("admin");
    for (const user of [order.client, worker, admin]) {
      expect((await call("GET", `/api/orders/${order.id}/`, { token: user.token })).status).toBe(200);
    }
    const otherClient = await createUser("client");
    const otherWorker = await createUser("worker");
    for (const user of [otherClient, otherWorker]) {
      const res = await call("GET", `/api/orders/${order.id}/`, { token: user.token });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
    expect((await call("GET", "/api/orders/99999999/", { token: admin.token })).status).toBe(404);
    expect((await call("GET", "/api/orders/abc/", { token: admin.token })).status).toBe(400);
    const anonymous = await call("GET", `/api/orders/${order.id}/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
  });

  it("shows open orders to qualified workers only", async () => {
    const service = await createService();
    const open = await createOrder({ service });
    const specialist = await createUser("worker");
    const elsewhere = await createUser("worker");
    const generalist = await createUser("worker");
    await call("PATCH", "/api/workers/me/", { token: specialist.token, body: { specializations: [service.id] } });
    const other = await createService();
    await call("PATCH", "/api/workers/me/", { token: elsewhere.token, body: { specializations: [other.id] } });
    for (const user of [specialist, generalist, service.owner]) {
      expect((await call("GET", `/api/orders/${open.id}/`, { token: user.token })).status).toBe(200);
    }
    expect((await call("GET", `/api/orders/${open.id}/`, { token: elsewhere.token })).status).toBe(404);

    const taken = await createOrder({ service, workerId: service.owner.id });
    const started = await createOrder({ service, status: "completed" });
    for (const order of [taken, started]) {
      expect((await call("GET", `/api/orders/${order.id}/`, { token: specialist.token })).status).toBe(404);
    }
  });
});

describe("GET /api/orders/", () => {
  it("lists a client's own orders, newest first, in one round trip", async () => {
    const client = await createUser("client");
    const first = await createOrder({ client });
    const second = await createOrder({ client });
    await createOrder();
    const res = await call("GET", "/api/orders/", { token: client.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-DB-Queries")).toBe("2"); // +1: the caller's account check
    expect(res.body).toMatchObject({ count: 2, next: null, previous: null });
    expect(ids(res)).toEqual([second.id, first.id]);
    expect(res.body.results[0].status_history).toHaveLength(1);
    const noSlash = await call("GET", "/api/orders", { token: client.token });
    expect(ids(noSlash)).toEqual([second.id, first.id]);
  });

  it("lists a worker's assigned orders plus the open ones they qualify for", async () => {
    const worker = await createUser("worker");
    const service = await createService();
    await call("PATCH", "/api/workers/me/", { token: worker.token, body: { specializations: [service.id] } });
    const assigned = await createOrder({ workerId: worker.id, status: "completed" });
    const open = await createOrder({ service, status: "paid" });
    const othersJob = await createOrder({ service, workerId: service.owner.id });
    const unqualified = await createOrder();
    const closed = await createOrder({ service, status: "canceled" });

    const res = await call("GET", "/api/orders/?page_size=100", { token: worker.token });
    expect(ids(res)).toEqual(expect.arrayContaining([assigned.id, open.id]));
    for (const hidden of [othersJob, unqualified, closed]) expect(ids(res)).not.toContain(hidden.id);
  });

  it("lets admins see everything and filter by status", async () => {
    const admin = await createUser("admin");
    const paid = await createOrder({ status: "paid" });
    const pending = await createOrder();
    const all = await call("GET", "/api/orders/?page_size=100", { token: admin.token });
    expect(ids(all)).toEqual(expect.arrayContaining([paid.id, pending.id]));
    const filtered = await call("GET", "/api/orders/?status=paid&page_size=100", { token: admin.token });
    expect(ids(filtered)).toContain(paid.id);
    expect(ids(filtered)).not.toContain(pending.id);
    expect(filtered.body.results.every((o: { status: string }) => o.status === "paid")).toBe(true);
  });

  it("paginates with absolute links and rejects bad query values", async () => {
    const client = await createUser("client");
    for (let i = 0; i < 3; i++) await createOrder({ client });
    const page1 = await call("GET", "/api/orders/?page_size=2", { token: client.token });
    expect(page1.body.count).toBe(3);
    expect(page1.body.results).toHaveLength(2);
    expect(page1.body.next).toMatch(/^http.*\/api\/orders\/\?page_size=2&page=2$/);
    const page2 = await call("GET", "/api/orders/?page_size=2&page=2", { token: client.token });
    expect(page2.body.results).toHaveLength(1);
    expect(page2.body.previous).not.toBeNull();
    expect((await call("GET", "/api/orders/?page=5", { token: client.token })).status).toBe(404);
    for (const q of ["status=done", "page=0", "page_size=101"]) {
      expect((await call("GET", `/api/orders/?${q}`, { token: client.token })).status).toBe(400);
    }
    expect((await call("GET", "/api/orders/")).status).toBe(401);
  });
});
