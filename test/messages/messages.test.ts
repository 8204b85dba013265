import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { orderMessageReads, orderMessages, orders } from "../../drizzle/schema";
import { cleanupOrders } from "../../src/modules/orders/order-cleanup";
import { createOrder, createService, createUser, db } from "../helpers/factories";
import { call, withinOneRateWindow } from "../helpers/http";
import { assignedOrder, endedDaysAgo, follow, list, type MessageData, markRead, messagesPath, post, seedMessages } from "./helpers";

const CONTACTS = "Reach me at ada.lovelace@example.com or +1 (555) 123-4567 on 2026-12-24.";
const MASKED = "Reach me at [email hidden] or [phone hidden] on 2026-12-24.";

describe("POST /api/orders/{id}/messages/", () => {
  it("lets the client, the assigned worker and admins (as the operator) post; the sender is a public user", async () => {
    const { order, client, worker } = await assignedOrder();
    const admin = await createUser("admin");
    const first = await post(client, order.id, "  Is 9am fine?\n");
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(Number),
      order_id: order.id,
      sender: expect.objectContaining({ id: client.id, username: client.username, role: "client" }),
      is_operator: false,
      body: "  Is 9am fine?\n",
      created_at: expect.stringMatching(/Z$/),
    });
    expect(Object.keys(first.body.sender).sort()).toEqual(["date_joined", "first_name", "id", "is_verified", "last_name", "role", "username"]);
    expect((await post(worker, order.id, "Yes")).status).toBe(201);
    const operator = await post(admin, order.id, "Operator: all good?");
    expect(operator.status).toBe(201);
    expect(operator.body.is_operator).toBe(true);
    const page = await list(client, order.id);
    expect(page.body.results.map((m: { body: string }) => m.body)).toEqual(["  Is 9am fine?\n", "Yes", "Operator: all good?"]);
    expect(page.body.results.map((m: { is_operator: boolean }) => m.is_operator)).toEqual([false, false, true]);
  });

  it("keeps the conversation to the client and admins until a worker is assigned", async () => {
    const worker = await createUser("worker");
    const service = await createService({ worker });
    const order = await createOrder({ service });
    const admin = await createUser("admin");
    // The qualified worker can see the open order, but not its conversation.
    expect((await call("GET", `/api/orders/${order.id}/`, { token: worker.token })).status).toBe(200);
    expect((await post(order.client, order.id, "Anyone?")).status).toBe(201);
    expect((await post(admin, order.id, "Looking for a worker.")).status).toBe(201);
    expect((await post(worker, order.id, "Me!")).status).toBe(404);
    expect((await list(worker, order.id)).status).toBe(404);
    expect((await markRead(worker, order.id, 1)).status).toBe(404);
    // Once assigned, the worker joins and reads the whole conversation.
    expect((await call("POST", `/api/orders/${order.id}/assign/`, { token: worker.token, body: {} })).status).toBe(200);
    expect((await list(worker, order.id)).body.results).toHaveLength(2);
  });

  it("answers 404 to anyone else, and 401 without a token", async () => {
    const { order } = await assignedOrder();
    const strangers = [await createUser("client"), await createUser("worker")];
    for (const stranger of strangers) {
      expect((await post(stranger, order.id, "hi")).status).toBe(404);
      expect((await list(stranger, order.id)).status).toBe(404);
      expect((await markRead(stranger, order.id, 1)).status).toBe(404);
    }
    expect((await post(strangers[0], 999_999, "hi")).status).toBe(404);
    const anonymous = await call("POST", messagesPath(order.id), { body: { body: "hi" } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect((await call("GET", messagesPath(order.id))).status).toBe(401);
    expect((await db().select().from(orderMessages).where(eq(orderMessages.orderId, order.id)))).toEqual([]);
  });

  it("rejects bad bodies with field errors", async () => {
    const { order, client } = await assignedOrder();
    const cases: [unknown, Record<string, string[]>][] = [
      [{}, { body: ["This field is required."] }],
      [{ body: "" }, { body: ["This field may not be blank."] }],
      [{ body: " \n\t " }, { body: ["This field may not be blank."] }],
      [{ body: "x".repeat(4001) }, { body: ["Ensure this field has no more than 4000 characters."] }],
      [{ body: 42 }, { body: ["Not a valid string."] }],
      [{ body: "hi", sender_id: 1 }, { non_field_errors: ["Unknown field(s): sender_id."] }],
    ];
    for (const [body, errors] of cases) {
      const res = await post(client, order.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual(errors);
    }
    expect((await post(client, order.id, "x".repeat(4000))).status).toBe(201);
    const notJson = await call("POST", messagesPath(order.id), { token: client.token, body: "body=hi", headers: { "Content-Type": "text/plain" } });
    expect([400, 415]).toContain(notJson.status);
    expect((await call("POST", messagesPath(order.id), { token: client.token, body: "{" })).status).toBe(400);
  });

  it("stores markup as sent (the client renders it as text)", async () => {
    const { order, client, worker } = await assignedOrder();
    const markup = `<img src=x onerror="alert(1)"> & <b>bold</b>`;
    await post(client, order.id, markup);
    expect((await list(worker, order.id)).body.results[0].body).toBe(markup);
  });

  it("accepts messages for MESSAGE_WINDOW_DAYS after the order ended, then stays readable only", async () => {
    const recent = await assignedOrder("completed");
    await endedDaysAgo(recent.order.id, 29);
    expect((await post(recent.client, recent.order.id, "Thanks!")).status).toBe(201);

    const old = await assignedOrder("canceled");
    await endedDaysAgo(old.order.id, 31);
    await seedMessages(old.order.id, old.worker.id, 1);
    const closed = await post(old.client, old.order.id, "Hello?");
    expect(closed.status).toBe(409);
    expect(closed.body.code).toBe("conversation_closed");
    expect((await list(old.client, old.order.id)).body.results.map((m: { body: string }) => m.body)).toEqual(["message 1"]);
  });

  it("limits posting per user: 429 with Retry-After", async () => {
    await withinOneRateWindow(20_000);
    const { order, client, worker } = await assignedOrder();
    for (let i = 0; i < 30; i++) expect((await post(client, order.id, `m${i}`)).status).toBe(201);
    const limited = await post(client, order.id, "one too many");
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("rate_limited");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Per user: the worker still may post.
    expect((await post(worker, order.id, "fine")).status).toBe(201);
    expect((await list(client, order.id, "?after=0&page_size=100")).body.results).toHaveLength(31);
  });
});

describe("contact details until the order is paid", () => {
  it("masks emails and phone numbers for the other party of an unpaid order; the author and admins see them", async () => {
    const { order, client, worker } = await assignedOrder("pending");
    const admin = await createUser("admin");
    const posted = await post(client, order.id, CONTACTS);
    expect(posted.body.body).toBe(CONTACTS);
    expect((await list(worker, order.id)).body.results[0].body).toBe(MASKED);
    expect((await list(client, order.id)).body.results[0].body).toBe(CONTACTS);
    expect((await list(admin, order.id)).body.results[0].body).toBe(CONTACTS);
    // The inbox row (and so the live push) of the other party is masked too.
    const inbox = await call("GET", "/api/notifications/", { token: worker.token });
    expect((inbox.body.results[0].data as MessageData).message.body).toBe(MASKED);
    expect(inbox.body.results[0].message).not.toContain("example.com");

    // Paid: shown as sent, the stored text never changed.
    await db().update(orders).set({ status: "paid" }).where(eq(orders.id, order.id));
    expect((await list(worker, order.id)).body.results[0].body).toBe(CONTACTS);
  });

  it("masks for the client what the worker sends, and for both after a cancel", async () => {
    const { order, client, worker } = await assignedOrder("canceled");
    await post(worker, order.id, "Text me: 0044 20 7946 0958, bob@example.org");
    expect((await list(client, order.id)).body.results[0].body).toBe("Text me: [phone hidden], [email hidden]");
  });
});

describe("GET /api/orders/{id}/messages/ pages by cursor", () => {
  it("returns the newest page oldest first, and links older and newer pages", async () => {
    const { order, client, worker } = await assignedOrder();
    await seedMessages(order.id, worker.id, 7);
    const bodies = (res: { body: { results: { body: string }[] } }) => res.body.results.map((m) => m.body);

    const newest = await list(client, order.id, "?page_size=3");
    expect(bodies(newest)).toEqual(["message 5", "message 6", "message 7"]);
    expect(newest.body.next).toBeNull();
    const older = await follow(client, order.id, newest.body.previous);
    expect(bodies(older)).toEqual(["message 2", "message 3", "message 4"]);
    const oldest = await follow(client, order.id, older.body.previous);
    expect(bodies(oldest)).toEqual(["message 1"]);
    expect(oldest.body.previous).toBeNull();
    expect(new URL(oldest.body.next ?? "").searchParams.get("after")).toBe(String(oldest.body.results[0].id));

    const start = await list(client, order.id, "?after=0&page_size=3");
    expect(bodies(start)).toEqual(["message 1", "message 2", "message 3"]);
    expect(start.body.previous).toBeNull();
    expect(new URL(start.body.next ?? "").searchParams.get("page_size")).toBe("3");
    const second = await follow(client, order.id, start.body.next);
    expect(bodies(second)).toEqual(["message 4", "message 5", "message 6"]);
    expect(second.body.previous).not.toBeNull();

    const caughtUp = await list(client, order.id, `?after=${newest.body.results[2].id}`);
    expect(caughtUp.body).toMatchObject({ next: null, results: [] });
  });

  it("rejects bad cursors and page sizes with 400", async () => {
    const { order, client } = await assignedOrder();
    for (const query of ["?after=-1", "?before=x", "?page_size=0", "?page_size=101", "?after=1&before=5"] as const) {
      expect((await list(client, order.id, query)).status, query).toBe(400);
    }
    expect((await list(client, order.id, "?after=1&before=5")).body).toEqual({ non_field_errors: ["Give after or before, not both."] });
  });

  it("pages a 10,000-message conversation in one D1 round trip per page (plus the caller's account)", async () => {
    const { order, client, worker } = await assignedOrder();
    await seedMessages(order.id, worker.id, 10_000);
    const newest = await list(client, order.id, "?page_size=100");
    expect(newest.body.results).toHaveLength(100);
    expect(newest.body.results.at(-1)?.body).toBe("message 10000");
    expect(newest.headers.get("X-DB-Queries")).toBe("2");
    const [{ id: firstId }] = await db().select({ id: orderMessages.id }).from(orderMessages).where(eq(orderMessages.orderId, order.id)).limit(1);
    for (const query of [`?before=${firstId + 5000}`, `?after=${firstId + 2500}`, "?after=0"] as const) {
      const page = await list(client, order.id, `${query}&page_size=100`);
      expect(page.status).toBe(200);
      expect(page.body.results).toHaveLength(100);
      expect(page.headers.get("X-DB-Queries"), query).toBe("2");
    }
  });
});

describe("50 concurrent posts", () => {
  it("all arrive, in one order for every reader", async () => {
    const { order, client, worker } = await assignedOrder();
    const admin = await createUser("admin");
    const posters = [client, worker, admin];
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => post(posters[i % 3], order.id, `concurrent ${i}`)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const ids = responses.map((r) => r.body.id as number);
    expect(new Set(ids).size).toBe(50);
    const views = await Promise.all(posters.map((p) => list(p, order.id, "?after=0&page_size=100")));
    const expected = [...ids].sort((a, b) => a - b);
    for (const view of views) expect(view.body.results.map((m: { id: number }) => m.id)).toEqual(expected);
    expect(views[1].body.results.map((m: { body: string }) => m.body).sort()).toEqual(responses.map((r) => r.body.body).sort());
  });
});

describe("read state", () => {
  it("counts unread messages of the others per order in /api/orders/, and the mark only moves forward", async () => {
    const { order, client, worker } = await assignedOrder();
    const other = await assignedOrder();
    const ids: number[] = [];
    for (const text of ["one", "two", "three"]) ids.push((await post(worker, order.id, text)).body.id);
    await post(client, order.id, "mine does not count");
    const unreadOf = async (token: string, id: number) =>
      (await call("GET", "/api/orders/", { token })).body.results.find((o) => o.id === id)?.unread_messages;
    expect(await unreadOf(client.token, order.id)).toBe(3);
    expect(await unreadOf(worker.token, order.id)).toBe(1);
    expect(await unreadOf(other.client.token, other.order.id)).toBe(0);

    expect((await markRead(client, order.id, ids[1])).body).toEqual({ order_id: order.id, last_read_id: ids[1], unread_messages: 1 });
    expect(await unreadOf(client.token, order.id)).toBe(1);
    // Backwards is a no-op; past the end is clamped to the newest message.
    expect((await markRead(client, order.id, ids[0])).body.last_read_id).toBe(ids[1]);
    const all = await markRead(client, order.id, 999_999_999);
    expect(all.body.unread_messages).toBe(0);
    expect(all.body.last_read_id).toBeGreaterThan(ids[2]);
    expect(await unreadOf(client.token, order.id)).toBe(0);
    // The inbox rows of those messages are read too.
    const inbox = await call("GET", "/api/notifications/?unread=true", { token: client.token });
    expect(inbox.body.results.filter((n: { type: string }) => n.type === "order_message")).toEqual([]);
    // The worker's read state is their own.
    expect(await unreadOf(worker.token, order.id)).toBe(1);
  });

  it("rejects a bad up_to with 400", async () => {
    const { order, client } = await assignedOrder();
    for (const upTo of [0, -1, "3", 1.5, null]) expect((await markRead(client, order.id, upTo)).status, String(upTo)).toBe(400);
    expect((await call("POST", `/api/orders/${order.id}/messages/read/`, { token: client.token, body: { up_to: 1, extra: 1 } })).status).toBe(400);
  });
});

describe("retention", () => {
  it("the order cleanup takes an expired order's conversation and read marks with it", async () => {
    const { order, client, worker } = await assignedOrder("completed");
    await post(worker, order.id, "Thanks for your business");
    await markRead(client, order.id, 999_999_999);
    await db().update(orders).set({ updatedAt: new Date(Date.now() - 400 * 86_400_000) }).where(eq(orders.id, order.id));
    await cleanupOrders(db(), new Date(), 365);
    expect(await db().select().from(orderMessages).where(eq(orderMessages.orderId, order.id))).toEqual([]);
    expect(await db().select().from(orderMessageReads).where(eq(orderMessageReads.orderId, order.id))).toEqual([]);
  });
});
