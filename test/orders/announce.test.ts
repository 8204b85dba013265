import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, orders, workerProfiles } from "../../drizzle/schema";
import type { JobMessage } from "../../src/jobs/messages";
import { ANNOUNCE_STALLED_MS, announceOrder, resumeStalledAnnouncements } from "../../src/modules/orders/order-announcement";
import { testContext } from "../helpers/context";
import { eventually } from "../helpers/eventually";
import { createOrder, createService, createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";

const future = () => new Date(Date.now() + 3 * 86_400_000).toISOString();

/** A context whose queue records what a step sends next instead of delivering it, so a test drives the steps itself. */
function steppingContext() {
  const sent: JobMessage[] = [];
  const jobs = {
    send: async (body: JobMessage) => void sent.push(body),
    sendBatch: async (messages: Iterable<{ body: JobMessage }>) => void sent.push(...[...messages].map((m) => m.body)),
  } as unknown as Queue<JobMessage>;
  return { ctx: testContext({ jobs }), sent };
}

const toldAbout = async (orderId: number) =>
  (await db().select().from(notifications).where(and(eq(notifications.orderId, orderId), eq(notifications.notificationType, "new_order_available")))).map((n) => n.userId);

/** A service with a specialist, a worker specialised elsewhere and an unavailable one. */
async function marketplace() {
  const service = await createService();
  const other = await createService();
  const [specialist, elsewhere, away] = [await createUser("worker"), await createUser("worker"), await createUser("worker")];
  await call("PATCH", "/api/workers/me/", { token: specialist.token, body: { specializations: [service.id] } });
  await call("PATCH", "/api/workers/me/", { token: elsewhere.token, body: { specializations: [other.id] } });
  await db().update(workerProfiles).set({ isAvailable: false }).where(eq(workerProfiles.userId, away.id));
  return { service, specialist, elsewhere, away };
}

describe("announcing a new order to the workers who could take it", () => {
  it("happens off the request, through the queue: qualified, available workers are told, no one else", async () => {
    const { service, specialist, elsewhere, away } = await marketplace();
    const client = await createUser("client");
    const res = await call("POST", "/api/orders/create/", {
      token: client.token,
      body: { service_id: service.id, description: "Fix it", address: "1 Main St", scheduled_date: future() },
    });
    expect(res.status).toBe(201);
    // One write batch holds the order, its history and the client's row, whatever the number of workers.
    expect(res.headers.get("X-DB-Queries")).toBe("3"); // the account check, the batch, the read-back
    const told = await eventually(async () => {
      const rows = await toldAbout(res.body.id);
      expect(rows).toEqual(expect.arrayContaining([specialist.id, service.owner.id]));
      return rows;
    });
    expect(told).not.toContain(elsewhere.id);
    expect(told).not.toContain(away.id);
    expect((await db().select().from(orders).where(eq(orders.id, res.body.id)))[0].announceAfter).toBeNull();
  });

  it("tells workers in chunks, each worker once, however often a step is repeated", async () => {
    const { service, specialist, elsewhere } = await marketplace();
    const order = await createOrder({ service, announceAfter: 0 });
    const { ctx, sent } = steppingContext();
    let after = 0;
    let steps = 0;
    for (;;) {
      const step = await announceOrder(ctx, order.id, after, 3);
      expect(step.stepped).toBe(true);
      steps++;
      // Redelivered or resumed at the same cursor: nobody is told again.
      expect((await announceOrder(ctx, order.id, after, 3)).stepped).toBe(false);
      if (step.next === null) break;
      expect(sent.at(-1)).toEqual({ type: "orders.announce", orderId: order.id, after: step.next });
      after = step.next;
    }
    const told = await toldAbout(order.id);
    expect(steps).toBeGreaterThanOrEqual(Math.ceil(told.length / 3));
    expect(new Set(told).size).toBe(told.length);
    expect(told).toEqual(expect.arrayContaining([specialist.id, service.owner.id]));
    expect(told).not.toContain(elsewhere.id);
  });

  it("is resumed by the auto-assign run when its chain of steps stopped (a lost message), and not before", async () => {
    const order = await createOrder({ announceAfter: 7, createdAt: new Date(Date.now() - ANNOUNCE_STALLED_MS - 1000) });
    const fresh = await createOrder({ announceAfter: 0 });
    const { ctx, sent } = steppingContext();
    await resumeStalledAnnouncements(ctx, new Date());
    expect(sent).toContainEqual({ type: "orders.announce", orderId: order.id, after: 7 });
    expect(sent.map((m) => "orderId" in m && m.orderId)).not.toContain(fresh.id);
  });
});
