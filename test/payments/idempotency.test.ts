import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { idempotencyKeys, orders, payments } from "../../drizzle/schema";
import { IDEMPOTENCY_LEASE_MS, purgeExpiredIdempotencyKeys } from "../../src/lib/idempotency";
import { createUser, db, unique } from "../helpers/factories";
import { CARDS, cardBody, pay, paymentsOfOrder, pendingOrder } from "./helpers";

const keyed = (key: string) => ({ "Idempotency-Key": key });

describe("Idempotency-Key on pay", () => {
  it("replays the first response for the same key and body, without charging again", async () => {
    const order = await pendingOrder();
    const key = unique("key");
    const first = await pay(order.client.token, order.id, cardBody(), keyed(key));
    const second = await pay(order.client.token, order.id, cardBody(), keyed(key));
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await paymentsOfOrder(order.id)).toHaveLength(1);
  });

  it("replays a declined payment as declined (same status and body)", async () => {
    const order = await pendingOrder();
    const key = unique("key");
    const first = await pay(order.client.token, order.id, cardBody(CARDS.declined), keyed(key));
    const second = await pay(order.client.token, order.id, cardBody(CARDS.declined), keyed(key));
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(await paymentsOfOrder(order.id)).toHaveLength(1);
  });

  it("replays a client error the same way (409 for a paid order)", async () => {
    const order = await pendingOrder();
    await pay(order.client.token, order.id);
    const key = unique("key");
    const first = await pay(order.client.token, order.id, cardBody(), keyed(key));
    const second = await pay(order.client.token, order.id, cardBody(), keyed(key));
    expect(first.status).toBe(409);
    expect([second.status, second.body]).toEqual([409, first.body]);
  });

  it("answers 422 idempotency_mismatch when the key is reused with another body or order", async () => {
    const client = await createUser("client");
    const order = await pendingOrder(client);
    const other = await pendingOrder(client);
    const key = unique("key");
    await pay(client.token, order.id, cardBody(CARDS.declined), keyed(key));
    const otherBody = await pay(client.token, order.id, cardBody(CARDS.success), keyed(key));
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.code).toBe("idempotency_mismatch");
    const otherOrder = await pay(client.token, other.id, cardBody(CARDS.declined), keyed(key));
    expect(otherOrder.status).toBe(422);
    expect(await paymentsOfOrder(other.id)).toEqual([]);
  });

  it("treats the same body with keys in another order as the same request", async () => {
    const order = await pendingOrder();
    const key = unique("key");
    const body = cardBody();
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const first = await pay(order.client.token, order.id, body, keyed(key));
    const second = await pay(order.client.token, order.id, reordered, keyed(key));
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
  });

  it("scopes keys per user", async () => {
    const key = unique("key");
    const a = await pendingOrder();
    const b = await pendingOrder();
    expect((await pay(a.client.token, a.id, cardBody(), keyed(key))).status).toBe(201);
    const res = await pay(b.client.token, b.id, cardBody(), keyed(key));
    expect(res.status).toBe(201);
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("rejects keys longer than 255 characters and empty keys with 400", async () => {
    const order = await pendingOrder();
    const long = await pay(order.client.token, order.id, cardBody(), keyed("k".repeat(256)));
    expect(long.status).toBe(400);
    expect(Object.keys(long.body)).toEqual(["idempotency-key"]);
    expect((await pay(order.client.token, order.id, cardBody(), keyed(""))).status).toBe(400);
    expect(await paymentsOfOrder(order.id)).toEqual([]);
    expect((await pay(order.client.token, order.id, cardBody(), keyed("k".repeat(255)))).status).toBe(201);
  });

  it("does not record a key for a request that failed validation", async () => {
    const order = await pendingOrder();
    const key = unique("key");
    expect((await pay(order.client.token, order.id, cardBody("4242424242424241"), keyed(key))).status).toBe(400);
    expect((await pay(order.client.token, order.id, cardBody(), keyed(key))).status).toBe(201);
  });

  it("answers 409 while the first request with the key is still running", async () => {
    const order = await pendingOrder();
    const key = unique("key");
    await pay(order.client.token, order.id, cardBody(CARDS.declined), keyed(key));
    // A claimed key without a stored response is exactly what a request in flight leaves behind.
    await db().update(idempotencyKeys).set({ responseStatus: null, responseBody: null }).where(eq(idempotencyKeys.key, key));
    const res = await pay(order.client.token, order.id, cardBody(CARDS.declined), keyed(key));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("idempotency_in_progress");
  });

  it("lets the same request take over a key whose request died, after the lease, and charge once", async () => {
    const fresh = await pendingOrder();
    const key = unique("key");
    // A declined run leaves the order pending; then its record is made to look like a request killed mid-flight.
    const died = new Date(Date.now() - IDEMPOTENCY_LEASE_MS - 1000);
    const first = await pay(fresh.client.token, fresh.id, cardBody(CARDS.declined), keyed(key));
    expect(first.status).toBe(201);
    await db().update(idempotencyKeys).set({ responseStatus: null, responseBody: null, createdAt: died }).where(eq(idempotencyKeys.key, key));

    const other = await pay(fresh.client.token, fresh.id, cardBody(), keyed(key));
    expect(other.status).toBe(422);
    const retry = await pay(fresh.client.token, fresh.id, cardBody(CARDS.declined), keyed(key));
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    const replay = await pay(fresh.client.token, fresh.id, cardBody(CARDS.declined), keyed(key));
    expect(replay.body).toEqual(retry.body);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
  });

  it("answers a retry of a key whose request died after its charge with that charge, never a second", async () => {
    const order = await pendingOrder();
    const key = unique("key");
    const first = await pay(order.client.token, order.id, cardBody(), keyed(key));
    expect(first.body.status).toBe("completed");
    const died = new Date(Date.now() - IDEMPOTENCY_LEASE_MS - 1000);
    await db().update(idempotencyKeys).set({ responseStatus: null, responseBody: null, createdAt: died }).where(eq(idempotencyKeys.key, key));
    const retry = await pay(order.client.token, order.id, cardBody(), keyed(key));
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(await paymentsOfOrder(order.id)).toHaveLength(1);
  });

  it("finishes the charge of a key whose request died before the gateway's answer was recorded", async () => {
    const order = await pendingOrder();
    const key = unique("key");
    const first = await pay(order.client.token, order.id, cardBody(), keyed(key));
    // As if killed between the charge and its settlement: the payment still processing, the order pending, no response stored.
    await db().update(payments).set({ status: "processing", gatewayTransactionId: null, processedAt: null }).where(eq(payments.id, first.body.id));
    await db().update(orders).set({ status: "pending" }).where(eq(orders.id, order.id));
    const died = new Date(Date.now() - IDEMPOTENCY_LEASE_MS - 1000);
    await db().update(idempotencyKeys).set({ responseStatus: null, responseBody: null, createdAt: died }).where(eq(idempotencyKeys.key, key));

    const retry = await pay(order.client.token, order.id, cardBody(), keyed(key));
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id: first.body.id, status: "completed", gateway_transaction_id: first.body.gateway_transaction_id });
    expect(await paymentsOfOrder(order.id)).toHaveLength(1);
    expect((await db().select().from(orders).where(eq(orders.id, order.id)))[0].status).toBe("paid");
  });

  it("treats a key reused after it expired as a new request with a new payment", async () => {
    const client = await createUser("client");
    const [a, b] = [await pendingOrder(client), await pendingOrder(client)];
    const key = unique("key");
    const first = await pay(client.token, a.id, cardBody(), keyed(key));
    await db().update(idempotencyKeys).set({ expiresAt: new Date(Date.now() - 1) }).where(eq(idempotencyKeys.key, key));
    const second = await pay(client.token, b.id, cardBody(), keyed(key));
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.order).toBe(b.id);
  });

  it("purges keys abandoned by a request that died, once past the lease", async () => {
    const user = await createUser("client");
    const [abandoned, running] = [unique("abandoned"), unique("running")];
    const expiresAt = new Date(Date.now() + 60_000);
    await db()
      .insert(idempotencyKeys)
      .values([
        { userId: user.id, scope: "payments.pay", key: abandoned, requestHash: "h", expiresAt, createdAt: new Date(Date.now() - IDEMPOTENCY_LEASE_MS - 1000) },
        { userId: user.id, scope: "payments.pay", key: running, requestHash: "h", expiresAt },
      ]);
    await purgeExpiredIdempotencyKeys(db(), new Date());
    const left = await db().select({ key: idempotencyKeys.key }).from(idempotencyKeys).where(eq(idempotencyKeys.userId, user.id));
    expect(left.map((r) => r.key)).toEqual([running]);
  });

  it("takes over an expired record as a new request", async () => {
    const order = await pendingOrder();
    const key = unique("key");
    await db()
      .insert(idempotencyKeys)
      .values({ userId: order.client.id, scope: "payments.pay", key, requestHash: "old", responseStatus: 201, responseBody: "{}", expiresAt: new Date(Date.now() - 1) });
    const res = await pay(order.client.token, order.id, cardBody(), keyed(key));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("completed");
  });

  it("purges expired records and keeps live ones", async () => {
    const user = await createUser("client");
    const [expired, live] = [unique("expired"), unique("live")];
    await db()
      .insert(idempotencyKeys)
      .values([
        { userId: user.id, scope: "payments.pay", key: expired, requestHash: "h", expiresAt: new Date(Date.now() - 1000) },
        { userId: user.id, scope: "payments.pay", key: live, requestHash: "h", expiresAt: new Date(Date.now() + 60_000) },
      ]);
    expect(await purgeExpiredIdempotencyKeys(db(), new Date())).toBeGreaterThanOrEqual(1);
    const left = await db().select({ key: idempotencyKeys.key }).from(idempotencyKeys).where(eq(idempotencyKeys.userId, user.id));
    expect(left.map((r) => r.key)).toEqual([live]);
  });
});

describe("concurrent pay requests", () => {
  it("10 parallel requests with one key: one payment, every success is the same response, the rest 409", async () => {
    const order = await pendingOrder();
    const key = unique("key");
    const results = await Promise.all(Array.from({ length: 10 }, () => pay(order.client.token, order.id, cardBody(), keyed(key))));
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.code).toBe("idempotency_in_progress");
    }
    expect(await paymentsOfOrder(order.id)).toHaveLength(1);
  });

  it("10 parallel requests without a key: exactly one completed payment, the rest 409", async () => {
    const order = await pendingOrder();
    const results = await Promise.all(Array.from({ length: 10 }, () => pay(order.client.token, order.id)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.code).toBe("conflict");
    }
    const rows = await paymentsOfOrder(order.id);
    expect(rows.filter((p) => p.status === "completed")).toHaveLength(1);
    const [row] = await db().select().from(orders).where(and(eq(orders.id, order.id), eq(orders.status, "paid")));
    expect(row).toBeDefined();
  });
});
