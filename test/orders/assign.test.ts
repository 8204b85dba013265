import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { notifications, orderStatusHistory, orders } from "../../drizzle/schema";
import { createOrder, createService, createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";

const assign = (orderId: number, token: string, body: unknown = {}) => call("POST", `/api/orders/${orderId}/assign/`, { token, body });

const historyOf = (orderId: number) =>
  db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, orderId)).orderBy(orderStatusHistory.id);

const inboxOf = (orderId: number, type: string) =>
  db().select().from(notifications).where(and(eq(notifications.orderId, orderId), eq(notifications.notificationType, type)));

describe("POST /api/orders/{id}/assign/", () => {
  it("lets a qualified worker take a pending order, which stays pending", async () => {
    const worker = await createUser("worker");
    const order = await createOrder();
    const res = await assign(order.id, worker.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "pending", worker: { id: worker.id } });
    expect(res.body.status_history.at(-1)).toMatchObject({
      status: "pending",
      comment: `Worker ${worker.username} assigned`,
      created_by: { id: worker.id },
    });
    const told = (await inboxOf(order.id, "worker_assigned")).map((n) => n.userId).sort();
    expect(told).toEqual([order.client.id, worker.id].sort());
  });

  it("starts work on a paid order in the same change", async () => {
    const worker = await createUser("worker");
    const order = await createOrder({ status: "paid" });
    const res = await assign(order.id, worker.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "in_progress", worker: { id: worker.id } });
    expect((await historyOf(order.id)).map((h) => h.status)).toEqual(["paid", "in_progress"]);
    expect(await inboxOf(order.id, "worker_assigned")).toHaveLength(2);
    expect((await inboxOf(order.id, "in_progress")).map((n) => n.type)).toEqual(["status_update", "status_update"]);
  });

  it("lets an admin assign a named, active, qualified worker", async () => {
    const admin = await createUser("admin");
    const service = await createService();
    const specialist = await createUser("worker");
    await call("PATCH", "/api/workers/me/", { token: specialist.token, body: { specializations: [service.id] } });
    const order = await createOrder({ service });
    const res = await assign(order.id, admin.token, { worker_id: specialist.id });
    expect(res.status).toBe(200);
    expect(res.body.worker?.id).toBe(specialist.id);
    expect(res.body.status_history.at(-1)?.created_by?.id).toBe(admin.id);
  });

  it("rejects an admin's assignment without a valid worker_id", async () => {
    const admin = await createUser("admin");
    const service = await createService();
    const order = await createOrder({ service });
    const client = await createUser("client");
    const inactive = await createUser("worker", { isActive: false });
    const unqualified = await createUser("worker");
    await call("PATCH", "/api/workers/me/", { token: unqualified.token, body: { specializations: [(await createService()).id] } });
    for (const body of [{}, { worker_id: "x" }, { worker_id: client.id }, { worker_id: inactive.id }, { worker_id: 99_999_999 }, { worker_id: unqualified.id }]) {
      const res = await assign(order.id, admin.token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toHaveProperty("worker_id");
    }
    const [row] = await db().select().from(orders).where(eq(orders.id, order.id));
    expect(row.workerId).toBeNull();
  });

  it("refuses orders that are taken or no longer open with 409", async () => {
    const worker = await createUser("worker");
    const taken = await createOrder({ workerId: worker.id });
    const done = await createOrder({ status: "completed" });
    const canceled = await createOrder({ status: "canceled" });
    const admin = await createUser("admin");
    expect((await assign(taken.id, worker.token)).status).toBe(409);
    for (const order of [done, canceled]) {
      const res = await assign(order.id, admin.token, { worker_id: worker.id });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("conflict");
    }
    expect(await historyOf(taken.id)).toHaveLength(1);
  });

  it("hides orders a worker does not qualify for (404) and keeps workers to themselves (403)", async () => {
    const service = await createService();
    const order = await createOrder({ service });
    const elsewhere = await createUser("worker");
    await call("PATCH", "/api/workers/me/", { token: elsewhere.token, body: { specializations: [(await createService()).id] } });
    expect((await assign(order.id, elsewhere.token)).status).toBe(404);
    expect((await assign(99_999_999, elsewhere.token)).status).toBe(404);

    const worker = await createUser("worker");
    const res = await assign(order.id, worker.token, { worker_id: elsewhere.id });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("permission_denied");
  });

  it("is for workers and admins, checked before the body", async () => {
    const order = await createOrder();
    expect((await call("POST", `/api/orders/${order.id}/assign/`, { body: {} })).status).toBe(401);
    const res = await assign(order.id, order.client.token, { worker_id: "junk" });
    expect(res.status).toBe(403);
    const worker = await createUser("worker");
    expect((await call("POST", `/api/orders/${order.id}/assign/`, { token: worker.token, body: "[" })).status).toBe(400);
  });

  it.each([
    ["paid", "in_progress"],
    ["pending", "pending"],
  ] as const)("has exactly one winner among 20 concurrent assigns of a %s order", async (from, to) => {
    const order = await createOrder({ status: from });
    const workers = await Promise.all(Array.from({ length: 20 }, () => createUser("worker")));
    const results = await Promise.all(workers.map((w) => assign(order.id, w.token)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);

    const winner = workers[results.findIndex((r) => r.status === 200)];
    const [row] = await db().select().from(orders).where(eq(orders.id, order.id));
    expect(row).toMatchObject({ workerId: winner.id, status: to });
    const history = await historyOf(order.id);
    expect(history.map((h) => h.status)).toEqual([from, to]);
    expect(history[1].createdById).toBe(winner.id);
    expect(await inboxOf(order.id, "worker_assigned")).toHaveLength(2);
  });
});
