import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications } from "../../drizzle/schema";
import { db } from "../helpers/factories";
import { connect } from "../helpers/realtime";
import { assignedOrder, type MessageFrame, markRead, post } from "./helpers";

async function lastNotificationId(userId: number) {
  const [row] = await db().select({ id: notifications.id }).from(notifications).where(eq(notifications.userId, userId)).orderBy(desc(notifications.id)).limit(1);
  return row?.id ?? 0;
}

describe("order messages over the per-user sockets", () => {
  it("reach both participants' tabs live, the sender's other tabs too, and an offline tab replays them with ?since=", async () => {
    const { order, client, worker } = await assignedOrder("pending");
    const clientTabs = [await connect(client.token), await connect(client.token)];
    const workerOnline = await connect(worker.token);
    // The worker's second tab saw everything so far, then went offline.
    const seen = await lastNotificationId(worker.id);
    const workerOffline = await connect(worker.token, { since: seen });
    workerOffline.close();
    await workerOffline.closed;

    const first = await post(client, order.id, "Mail me: ada@example.com");
    expect(first.status).toBe(201);
    for (const tab of [...clientTabs, workerOnline]) {
      const pushed = await tab.next<MessageFrame>();
      expect(pushed).toMatchObject({ type: "order_message", order_id: order.id, data: { message: { id: first.body.id, order_id: order.id } } });
      expect(pushed.data.message.sender).toMatchObject({ id: client.id });
      // Masked for the worker until the order is paid; as sent for the client's own tabs.
      expect(pushed.data.message.body).toBe(tab === workerOnline ? "Mail me: [email hidden]" : "Mail me: ada@example.com");
    }

    const reply = await post(worker, order.id, "On my way");
    for (const tab of [...clientTabs, workerOnline]) {
      expect((await tab.next<MessageFrame>()).data.message).toMatchObject({ id: reply.body.id, body: "On my way", sender: { id: worker.id } });
    }
    for (const tab of [...clientTabs, workerOnline]) expect(await tab.drain()).toEqual([]);

    // The offline tab comes back: it gets what it missed, in order, then live pushes.
    const back = await connect(worker.token, { since: seen });
    const replayed = (await back.drain()) as MessageFrame[];
    expect(replayed.map((m) => [m.type, m.data.message.id, m.data.message.body])).toEqual([
      ["order_message", first.body.id, "Mail me: [email hidden]"],
      ["order_message", reply.body.id, "On my way"],
    ]);

    // Reading on one tab syncs the reader's other tabs (and only theirs).
    const read = await markRead(client, order.id, reply.body.id);
    expect(read.body).toEqual({ order_id: order.id, last_read_id: reply.body.id, unread_messages: 0 });
    for (const tab of clientTabs) {
      expect(await tab.next<MessageFrame>()).toMatchObject({
        type: "order_messages_read",
        order_id: order.id,
        data: { order_id: order.id, last_read_id: reply.body.id, unread_messages: 0 },
      });
    }
    // Reading the same again moves nothing and pushes nothing.
    await markRead(client, order.id, reply.body.id);
    const third = await post(worker, order.id, "Done");
    for (const tab of clientTabs) expect((await tab.next<MessageFrame>()).data.message.id).toBe(third.body.id);
    expect((await back.next<MessageFrame>()).data.message.id).toBe(third.body.id);
    expect((await workerOnline.next<MessageFrame>()).data.message.id).toBe(third.body.id);
    for (const tab of [...clientTabs, workerOnline, back]) {
      expect(await tab.drain()).toEqual([]);
      tab.close();
    }
  });
});
