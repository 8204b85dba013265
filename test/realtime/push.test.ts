import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications } from "../../drizzle/schema";
import type { JobMessage } from "../../src/jobs/messages";
import { schedulePush } from "../../src/modules/notifications/notification-events";
import { createOrder, createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";
import { connect, envWithBrokenObjects, pushMessage, recordEvent, runQueue } from "../helpers/realtime";

const stubFor = (userId: number) => env.USER_NOTIFICATIONS.get(env.USER_NOTIFICATIONS.idFromName(String(userId)));


async function assignedOrder() {
  const worker = await createUser("worker");
  return { worker, order: await createOrder({ workerId: worker.id, status: "paid" }) };
}

describe("live push through the queue consumer", () => {
  it("delivers an event to every socket of each recipient, and to no one else", async () => {
    const { order, worker } = await assignedOrder();
    const stranger = await createUser();
    const clientTab1 = await connect(order.client.token);
    const clientTab2 = await connect(order.client.token);
    const workerSocket = await connect(worker.token);
    const strangerSocket = await connect(stranger.token);

    const eventId = await recordEvent({ kind: "status_changed", orderId: order.id, status: "in_progress" });
    const result = await runQueue([pushMessage(eventId)]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);

    const [rowForClient] = await db().select().from(notifications).where(eq(notifications.userId, order.clientId));
    for (const tab of [clientTab1, clientTab2]) {
      const [pushed] = await tab.drain();
      expect(pushed).toEqual({
        id: rowForClient.id,
        type: "status_update",
        notification_type: "in_progress",
        order_id: order.id,
        payment_id: null,
        message: `Order #${order.id} is now in progress.`,
        data: { status: "in_progress" },
        read: false,
        created_at: rowForClient.createdAt.toISOString(),
      });
    }
    expect((await workerSocket.drain()).map((m) => m.notification_type)).toEqual(["in_progress"]);
    expect(await strangerSocket.drain()).toEqual([]);
    for (const s of [clientTab1, clientTab2, workerSocket, strangerSocket]) s.close();
  });

  it("carries payment_id for payment notifications", async () => {
    const order = await createOrder();
    const socket = await connect(order.client.token);
    const paymentId = crypto.randomUUID();
    const eventId = await recordEvent({ kind: "payment_success", orderId: order.id, paymentId });
    await runQueue([pushMessage(eventId)]);
    const [pushed] = await socket.drain();
    expect(pushed).toMatchObject({ type: "payment_notification", notification_type: "payment_success", order_id: order.id, payment_id: paymentId });
    socket.close();
  });

  it("still delivers after the object hibernates (sockets and their state come back from the runtime)", async () => {
    const order = await createOrder();
    const earlier = await recordEvent({ kind: "status_changed", orderId: order.id, status: "paid" });
    const [{ id: seen }] = await db().select().from(notifications).where(eq(notifications.eventId, earlier));
    const socket = await connect(order.client.token, { since: seen });
    await evictDurableObject(stubFor(order.clientId), { webSockets: "hibernate" });

    const eventId = await recordEvent({ kind: "status_changed", orderId: order.id, status: "canceled" });
    expect((await runQueue([pushMessage(eventId)])).retryMessages).toEqual([]);
    expect((await socket.drain()).map((m) => m.notification_type)).toEqual(["canceled"]);
    // The auto-response ping still works while hibernated.
    await evictDurableObject(stubFor(order.clientId), { webSockets: "hibernate" });
    expect(await socket.drain('{"type":"ping"}')).toEqual([]);
    socket.close();
  });

  it("does not send a row twice to a socket whose replay already included it", async () => {
    const order = await createOrder();
    const eventId = await recordEvent({ kind: "status_changed", orderId: order.id, status: "paid" });
    const socket = await connect(order.client.token, { since: 0 });
    expect((await socket.drain()).map((m) => m.notification_type)).toEqual(["paid"]);
    await runQueue([pushMessage(eventId)]);
    expect(await socket.drain()).toEqual([]);
    socket.close();
  });

  it("retries the message with backoff when an object is unreachable, and a later delivery succeeds", async () => {
    const order = await createOrder();
    const socket = await connect(order.client.token);
    const eventId = await recordEvent({ kind: "payment_failed", orderId: order.id, paymentId: crypto.randomUUID() });

    const message = pushMessage(eventId);
    const failed = await runQueue([message], { env: envWithBrokenObjects() });
    expect(failed.explicitAcks).toEqual([]);
    expect(failed.retryMessages).toEqual([{ msgId: message.id }]);
    expect(failed.delays).toEqual({ [message.id]: 10 });
    expect(await socket.drain()).toEqual([]);
    // The inbox has the row regardless.
    const inbox = await call("GET", "/api/notifications/", { token: order.client.token });
    expect(inbox.body.results.map((n) => n.notification_type)).toEqual(["payment_failed"]);

    const retried = await runQueue([{ ...message, attempts: 2 }]);
    expect(retried.explicitAcks).toEqual([message.id]);
    expect((await socket.drain()).map((m) => m.notification_type)).toEqual(["payment_failed"]);
    socket.close();
  });

  it("an event with no recipients is acknowledged", async () => {
    const result = await runQueue([pushMessage(crypto.randomUUID())]);
    expect(result.explicitAcks).toHaveLength(1);
  });
});

describe("schedulePush from a request", () => {
  it("goes through the real queue to the user's socket", async () => {
    const order = await createOrder();
    const socket = await connect(order.client.token);
    const eventId = await recordEvent({ kind: "order_created", orderId: order.id });
    const pending: Promise<unknown>[] = [];
    schedulePush({ jobs: env.JOBS, waitUntil: (p) => pending.push(p) }, eventId);
    await Promise.all(pending);
    const pushed = await socket.next();
    expect(pushed).toMatchObject({ type: "order_notification", notification_type: "order_created", order_id: order.id });
    socket.close();
  });

  it("never fails the caller when the queue rejects; the inbox still has the row", async () => {
    const order = await createOrder();
    const eventId = await recordEvent({ kind: "worker_assigned", orderId: order.id });
    const brokenQueue = { send: () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue<JobMessage>;
    const pending: Promise<unknown>[] = [];
    expect(() => schedulePush({ jobs: brokenQueue, waitUntil: (p) => pending.push(p) }, eventId)).not.toThrow();
    await expect(Promise.all(pending)).resolves.toBeDefined();
    const inbox = await call("GET", "/api/notifications/", { token: order.client.token });
    expect(inbox.status).toBe(200);
    expect(inbox.body.results[0]).toMatchObject({ notification_type: "worker_assigned", order_id: order.id });
  });
});
