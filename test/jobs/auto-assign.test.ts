import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { orderStatusHistory, orders, workerProfiles, workerSpecializations } from "../../drizzle/schema";
import { autoAssignOrders } from "../../src/modules/orders/auto-assign";
import { call } from "../helpers/http";
import { createOrder, createService, createUser, db, type TestUser } from "../helpers/factories";
import { queueMessage, runQueue } from "../helpers/realtime";
import { testContext } from "../helpers/context";

/** Pushes go to the real queue; the test does not wait for their delivery. */
const ctx = testContext();

// Storage is per test file, so this file controls every worker that exists while it runs.
async function worker(ratingHundredths: number, options: { available?: boolean; onlyServiceId?: number } = {}) {
  const user = await createUser("worker");
  await db()
    .update(workerProfiles)
    .set({ ratingHundredths, isAvailable: options.available ?? true })
    .where(eq(workerProfiles.userId, user.id));
  if (options.onlyServiceId) {
    await db().insert(workerSpecializations).values({ workerProfileId: user.profileId!, serviceId: options.onlyServiceId });
  }
  return user;
}

const orderRow = async (id: number) => (await db().select().from(orders).where(eq(orders.id, id)))[0];

async function makeUnavailable(...users: TestUser[]) {
  for (const u of users) await db().update(workerProfiles).set({ isAvailable: false }).where(eq(workerProfiles.userId, u.id));
}

describe("auto-assign job", () => {
  it("picks the available qualified worker with the fewest active orders, then the best rating", async () => {
    const owner = await worker(100, { available: false }); // owns the service but is away
    const service = await createService({ worker: owner });
    const otherService = await createService({ worker: owner });
    const busyStar = await worker(490);
    const idle = await worker(300);
    const unavailableStar = await worker(500, { available: false });
    const wrongSpecialist = await worker(500, { onlyServiceId: otherService.id });
    await createOrder({ service, workerId: busyStar.id, status: "in_progress" });

    const first = await createOrder({ service });
    await autoAssignOrders(ctx);
    expect((await orderRow(first.id)).workerId).toBe(idle.id);

    const second = await createOrder({ service });
    await autoAssignOrders(ctx);
    expect((await orderRow(second.id)).workerId).toBe(busyStar.id); // both have one active order now; better rating wins
    for (const o of [first, second]) expect([unavailableStar.id, wrongSpecialist.id, owner.id]).not.toContain((await orderRow(o.id)).workerId);
    await makeUnavailable(busyStar, idle, wrongSpecialist);
  });

  it("starts paid orders, writes a system history row, and notifies", async () => {
    const service = await createService({ worker: await worker(0, { available: false }) });
    const w = await worker(400);
    const order = await createOrder({ service, status: "paid" });
    await autoAssignOrders(ctx);
    const row = await orderRow(order.id);
    expect(row).toMatchObject({ workerId: w.id, status: "in_progress" });
    const history = await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, order.id));
    expect(history.at(-1)).toMatchObject({ status: "in_progress", createdById: null });
    const seen = await call("GET", "/api/notifications/", { token: w.token });
    expect(seen.body.results.map((n) => n.notification_type)).toContain("worker_assigned");
    await makeUnavailable(w);
  });

  it("leaves orders nobody can take alone, and a second run changes nothing", async () => {
    const service = await createService({ worker: await worker(0, { available: false }) });
    const stranded = await createOrder({ service });
    const first = await autoAssignOrders(ctx);
    expect((await orderRow(stranded.id)).workerId).toBeNull();
    const w = await worker(200);
    await autoAssignOrders(ctx);
    expect((await orderRow(stranded.id)).workerId).toBe(w.id);
    const historyBefore = await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, stranded.id));
    const again = await autoAssignOrders(ctx);
    expect(again.assigned).toBe(0);
    expect(await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, stranded.id))).toHaveLength(historyBefore.length);
    expect(first.assigned).toBe(0);
    await makeUnavailable(w);
  });

  it("never races a manual assign: overlapping runs and a person end with one assignment", async () => {
    const service = await createService({ worker: await worker(0, { available: false }) });
    const w1 = await worker(300);
    const w2 = await worker(300);
    const order = await createOrder({ service });
    const [, , manual] = await Promise.all([
      autoAssignOrders(ctx),
      autoAssignOrders(ctx),
      call("POST", `/api/orders/${order.id}/assign/`, { token: w2.token, body: {} }),
    ]);
    const row = await orderRow(order.id);
    expect([w1.id, w2.id]).toContain(row.workerId);
    expect(manual.status === 200).toBe(row.workerId === w2.id && manual.body.worker?.id === w2.id);
    const assignments = (await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, order.id))).filter((h) =>
      h.comment.includes("assigned"),
    );
    expect(assignments).toHaveLength(1);
    await makeUnavailable(w1, w2);
  });

  it("runs from its queue message, the path its cron and the admin API use", async () => {
    const service = await createService({ worker: await worker(0, { available: false }) });
    const w = await worker(100);
    const order = await createOrder({ service });
    const message = queueMessage({ type: "job.run", name: "auto-assign", requestedAt: Date.now() });
    const result = await runQueue([message]);
    expect(result.explicitAcks).toEqual([message.id]);
    expect((await orderRow(order.id)).workerId).toBe(w.id);
  });
});
