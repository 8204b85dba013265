import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { notifications, orderStatusHistory, orders, type OrderStatus } from "../../drizzle/schema";
import { canTransition, TRANSITIONS, transitionStatements } from "../../src/modules/orders/order-transitions";
import { createOrder, createUser, db, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";

type Who = "client" | "worker" | "admin";

/** An order in `status` with an assigned worker, plus an admin: every party of the table. */
async function orderIn(status: OrderStatus) {
  const worker = await createUser("worker");
  const admin = await createUser("admin");
  const order = await createOrder({ status, workerId: worker.id });
  const people: Record<Who, TestUser> = { client: order.client, worker, admin };
  return { order, people };
}

const changeStatus = (orderId: number, token: string, body: unknown) => call("POST", `/api/orders/${orderId}/status/`, { token, body });

const rowOf = async (orderId: number) => (await db().select().from(orders).where(eq(orders.id, orderId)))[0];
const historyOf = (orderId: number) =>
  db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, orderId)).orderBy(orderStatusHistory.id);

const ALLOWED: [OrderStatus, OrderStatus, Who][] = [
  ["pending", "canceled", "client"],
  ["pending", "canceled", "admin"],
  ["paid", "in_progress", "worker"],
  ["paid", "in_progress", "admin"],
  ["paid", "canceled", "client"],
  ["paid", "canceled", "admin"],
  ["in_progress", "completed", "worker"],
  ["in_progress", "completed", "admin"],
  ["in_progress", "canceled", "admin"],
];

const REFUSED: [OrderStatus, OrderStatus, Who][] = [
  ["pending", "canceled", "worker"],
  ["paid", "in_progress", "client"],
  ["paid", "canceled", "worker"],
  ["in_progress", "completed", "client"],
  ["in_progress", "canceled", "client"],
  ["in_progress", "canceled", "worker"],
];

describe("POST /api/orders/{id}/status/", () => {
  it.each(ALLOWED)("%s → %s by the %s: 201, history, notifications", async (from, to, who) => {
    const { order, people } = await orderIn(from);
    const actor = people[who];
    const res = await changeStatus(order.id, actor.token, { status: to, comment: `by ${who}` });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe(to);
    expect(res.body.status_history.at(-1)).toMatchObject({ status: to, comment: `by ${who}`, created_by: { id: actor.id } });
    // Read the state, one guarded batch, read the result; only a cancel that owes a refund does more.
    if (!TRANSITIONS[from][to]?.refundOwed) expect(res.headers.get("X-DB-Queries")).toBe("4"); // +1: the caller's account check

    const row = await rowOf(order.id);
    expect(row.status).toBe(to);
    // These orders have no payment, so the refund a paid cancel owes is settled as "nothing owed"
    // (test/payments/cancel-refund.test.ts covers cancels that refund real payments).
    expect(row.refundOwed).toBe(false);
    expect(row.completedAt !== null).toBe(to === "completed");
    expect(res.body.completed_at !== null).toBe(to === "completed");
    expect((await historyOf(order.id)).map((h) => h.status)).toEqual([from, to]);

    const inbox = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.orderId, order.id), eq(notifications.type, "status_update")));
    expect(inbox.map((n) => n.userId).sort()).toEqual([order.client.id, people.worker.id].sort());
    expect(inbox[0]).toMatchObject({ notificationType: to, data: { status: to } });
  });

  it.each(REFUSED)("%s → %s by the %s: 403, nothing changes", async (from, to, who) => {
    const { order, people } = await orderIn(from);
    const res = await changeStatus(order.id, people[who].token, { status: to });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("permission_denied");
    expect((await rowOf(order.id)).status).toBe(from);
    expect(await historyOf(order.id)).toHaveLength(1);
  });

  it.each([
    ["pending", "paid"],
    ["pending", "in_progress"],
    ["pending", "completed"],
    ["paid", "completed"],
    ["paid", "pending"],
    ["in_progress", "paid"],
    ["completed", "canceled"],
    ["completed", "in_progress"],
    ["canceled", "pending"],
    ["canceled", "paid"],
  ] as const)("%s → %s is an invalid transition even for an admin (409)", async (from, to) => {
    const { order, people } = await orderIn(from);
    const res = await changeStatus(order.id, people.admin.token, { status: to });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("invalid_transition");
    expect(await historyOf(order.id)).toHaveLength(1);
  });

  it("leaves pending → paid to payments: a client asking for it gets 409", async () => {
    const { order } = await orderIn("pending");
    const res = await changeStatus(order.id, order.client.token, { status: "paid" });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("invalid_transition");
  });

  it("validates the body", async () => {
    const { order, people } = await orderIn("pending");
    for (const body of [{}, { status: "done" }, { status: 3 }, { status: "canceled", comment: "x".repeat(1001) }]) {
      const res = await changeStatus(order.id, people.admin.token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await call("POST", `/api/orders/${order.id}/status/`, { token: people.admin.token, body: "nope" })).status).toBe(400);
  });

  it("404s for non-parties, 403s for a worker who only sees the open order, 401 without a token", async () => {
    const order = await createOrder({ status: "paid" });
    const stranger = await createUser("client");
    expect((await changeStatus(order.id, stranger.token, { status: "canceled" })).status).toBe(404);
    expect((await changeStatus(99_999_999, stranger.token, { status: "canceled" })).status).toBe(404);
    const onlooker = await createUser("worker");
    expect((await changeStatus(order.id, onlooker.token, { status: "in_progress" })).status).toBe(403);
    expect((await call("POST", `/api/orders/${order.id}/status/`, { body: { status: "canceled" } })).status).toBe(401);
    expect((await rowOf(order.id)).status).toBe("paid");
  });
});

describe("status changes under concurrency", () => {
  it("lets exactly one of 10 concurrent completions win", async () => {
    const { order, people } = await orderIn("in_progress");
    const results = await Promise.all(
      Array.from({ length: 10 }, () => changeStatus(order.id, people.worker.token, { status: "completed" })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect((await historyOf(order.id)).map((h) => h.status)).toEqual(["in_progress", "completed"]);
  });

  it("settles cancel vs complete races with history matching the final status", async () => {
    for (let round = 0; round < 3; round++) {
      const { order, people } = await orderIn("in_progress");
      const results = await Promise.all([
        changeStatus(order.id, people.admin.token, { status: "canceled" }),
        changeStatus(order.id, people.worker.token, { status: "completed" }),
        changeStatus(order.id, people.admin.token, { status: "canceled" }),
        changeStatus(order.id, people.worker.token, { status: "completed" }),
      ]);
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      const row = await rowOf(order.id);
      const history = await historyOf(order.id);
      expect(history).toHaveLength(2);
      expect(history[1].status).toBe(row.status);
      expect(row.refundOwed).toBe(false);
      expect(row.completedAt !== null).toBe(row.status === "completed");
    }
  });
});

describe("the transition table", () => {
  it("gives pending → paid to the system only", async () => {
    const { order, people } = await orderIn("pending");
    const state = { status: order.status, clientId: order.client.id, workerId: people.worker.id };
    expect(TRANSITIONS.pending.paid?.by).toEqual(["system"]);
    expect(canTransition(state, "system", "paid")).toBe(true);
    for (const who of ["client", "worker", "admin"] as const) {
      expect(canTransition(state, { id: people[who].id, role: people[who].role }, "paid")).toBe(false);
    }
  });

  it("lets the system record a payment through the same guarded statements", async () => {
    const { order } = await orderIn("pending");
    await db().batch(transitionStatements(db(), { orderId: order.id, from: "pending", to: "paid", actorId: null, comment: "Payment received" }));
    const res = await call("GET", `/api/orders/${order.id}/`, { token: order.client.token });
    expect(res.body.status).toBe("paid");
    expect(res.body.status_history.at(-1)).toMatchObject({ status: "paid", created_by: null });
    await expect(
      db().batch(transitionStatements(db(), { orderId: order.id, from: "pending", to: "paid", actorId: null })),
    ).rejects.toThrow();
    expect(await historyOf(order.id)).toHaveLength(2);
  });
});
