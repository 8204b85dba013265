import { asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { failedJobs, orderStatusHistory, orders, payments } from "../../drizzle/schema";
import type { Bindings } from "../../src/env";
import { MAX_DELIVERIES } from "../../src/jobs/retry-policy";
import { TRANSITIONS } from "../../src/modules/orders/order-transitions";
import { createOrder, createService, createUser, db } from "../helpers/factories";
import { reportCounts } from "../helpers/hardening-report";
import { CARD } from "../helpers/hardening-world";
import { call } from "../helpers/http";
import { pushMessage, queueMessage, recordEvent, runQueue } from "../helpers/realtime";
import { env } from "cloudflare:workers";

const future = () => new Date(Date.now() + 86_400_000).toISOString();

/** The order's history is a path through the status machine that ends in the order's status. */
async function expectConsistentHistory(orderId: number) {
  const [order] = await db().select().from(orders).where(eq(orders.id, orderId));
  const history = await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, orderId)).orderBy(asc(orderStatusHistory.id));
  const statuses = history.map((h) => h.status);
  expect(statuses[0]).toBe("pending");
  for (let i = 1; i < statuses.length; i++) expect(TRANSITIONS[statuses[i - 1]][statuses[i]], statuses.join(" → ")).toBeDefined();
  expect(statuses.at(-1)).toBe(order.status);
  return { order, statuses };
}

describe("load and races: nothing lost, one winner", () => {
  it("N concurrent order creations by several clients make exactly N orders, each with one history row", async (context) => {
    const N = 40;
    const service = await createService({ priceCents: 2_500 });
    const clients = await Promise.all(Array.from({ length: 4 }, () => createUser("client")));
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        call("POST", "/api/orders/create/", {
          token: clients[i % clients.length].token,
          body: { service_id: service.id, description: `burst ${i}`, address: "1 Main St", scheduled_date: future(), quantity: (i % 3) + 1 },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(N).fill(201));
    const ids = results.map((r) => r.body.id as number);
    expect(new Set(ids).size).toBe(N);
    const rows = await db().select().from(orders).where(eq(orders.serviceId, service.id));
    const history = await db().select().from(orderStatusHistory).where(inArray(orderStatusHistory.orderId, ids));
    expect(rows).toHaveLength(N);
    expect(history).toHaveLength(N);
    for (const row of rows) expect(row.totalPriceCents).toBe(2_500 * row.quantity);
    reportCounts(context, { requests: N, created: rows.length, lost_writes: N - rows.length, duplicate_writes: rows.length - new Set(ids).size });
  });

  it("concurrent pays, cancels and assigns on one pending order: one payment at most, one worker at most, a consistent history", async (context) => {
    const order = await createOrder();
    const workers = await Promise.all([createUser("worker"), createUser("worker"), createUser("worker")]);
    const requests = [
      ...Array.from({ length: 6 }, () => call("POST", `/api/payments/order/${order.id}/pay/`, { token: order.client.token, body: CARD })),
      call("POST", `/api/orders/${order.id}/status/`, { token: order.client.token, body: { status: "canceled" } }),
      ...workers.map((w) => call("POST", `/api/orders/${order.id}/assign/`, { token: w.token, body: {} })),
    ];
    const results = await Promise.all(requests);
    for (const r of results) expect([200, 201, 404, 409]).toContain(r.status);
    const { order: final, statuses } = await expectConsistentHistory(order.id);
    const paid = await db().select().from(payments).where(eq(payments.orderId, order.id));
    const completed = paid.filter((p) => p.status === "completed");
    expect(completed.length).toBeLessThanOrEqual(1);
    expect(paid.filter((p) => p.status === "processing")).toEqual([]);
    // A charge that lost the race to a cancel was refunded in full: no money kept for an unpaid order.
    if (!statuses.includes("paid")) {
      expect(completed).toEqual([]);
      for (const p of paid.filter((p) => p.status === "refunded")) expect(p.refundedAmountCents).toBe(p.amountCents);
    }
    expect(results.filter((r, i) => i >= 7 && r.status === 200).length).toBeLessThanOrEqual(1);
    if (final.workerId) expect(workers.map((w) => w.id)).toContain(final.workerId);
    reportCounts(context, { requests: results.length, completed_payments: completed.length, refunded_race_losers: paid.filter((p) => p.status === "refunded").length, history_entries: statuses.length, server_errors: results.filter((r) => r.status >= 500).length });
  });

  it("concurrent full refunds of one payment: one refund, never more than was paid", async (context) => {
    const order = await createOrder();
    const admin = await createUser("admin");
    const pay = await call("POST", `/api/payments/order/${order.id}/pay/`, { token: order.client.token, body: CARD });
    expect(pay.body.status).toBe("completed");
    const results = await Promise.all(Array.from({ length: 8 }, () => call("POST", `/api/payments/${pay.body.id}/refund/`, { token: admin.token, body: {} })));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expect([400, 409]).toContain(r.status);
    const [row] = await db().select().from(payments).where(eq(payments.id, pay.body.id));
    expect({ status: row.status, refunded: row.refundedAmountCents }).toEqual({ status: "refunded", refunded: row.amountCents });
    reportCounts(context, { requests: results.length, refunds: winners.length, over_refunded_cents: row.refundedAmountCents - row.amountCents });
  });

  it("a burst of queue messages with injected failures: each processed once or dead-lettered, none lost", async (context) => {
    const kinds = { ok: 20, flaky: 20, broken: 10 } as const;
    const failuresLeft = new Map<string, number>();
    const delivered = new Map<string, number>();
    const messages: ReturnType<typeof queueMessage>[] = [];
    const expected = new Map<string, "delivered" | "dead">();
    for (const [kind, count] of Object.entries(kinds)) {
      for (let i = 0; i < count; i++) {
        const order = await createOrder();
        failuresLeft.set(String(order.clientId), kind === "ok" ? 0 : kind === "flaky" ? 2 : Infinity);
        const message = pushMessage(await recordEvent({ kind: "status_changed", orderId: order.id, status: "canceled" }));
        messages.push(message);
        expected.set(message.id, kind === "broken" ? "dead" : "delivered");
      }
    }
    for (let i = 0; i < 10; i++) {
      const malformed = queueMessage({ type: "notifications.push", eventId: i % 2 ? 42 : undefined });
      messages.push(malformed);
      expected.set(malformed.id, "dead");
    }
    // Stands in for the platform's Durable Objects: fails a user's pushes as configured, counts the rest.
    const objects = {
      idFromName: (name: string) => name,
      get: (user: string) => ({
        push: async (rows: unknown[]) => {
          const left = failuresLeft.get(user) ?? 0;
          if (left > 0) {
            failuresLeft.set(user, left - 1);
            throw new Error("injected Durable Object failure");
          }
          delivered.set(user, (delivered.get(user) ?? 0) + 1);
          return rows.length;
        },
      }),
    };
    const faultyEnv = { ...env, USER_NOTIFICATIONS: objects } as unknown as Bindings;

    let pending = messages;
    const acks = new Map<string, number>();
    let deliveries = 0;
    while (pending.length) {
      const batches = Array.from({ length: Math.ceil(pending.length / 10) }, (_, i) => pending.slice(i * 10, i * 10 + 10));
      const results = await Promise.all(batches.map((batch) => runQueue(batch, { env: faultyEnv })));
      deliveries += pending.length;
      for (const id of results.flatMap((r) => r.explicitAcks)) acks.set(id, (acks.get(id) ?? 0) + 1);
      const retried = new Set(results.flatMap((r) => r.retryMessages.map((m) => m.msgId)));
      for (const m of pending) expect(acks.has(m.id) !== retried.has(m.id), `message ${m.id} settled exactly once per delivery`).toBe(true);
      pending = pending.filter((m) => retried.has(m.id)).map((m) => ({ ...m, attempts: m.attempts + 1 }));
      expect(pending.every((m) => m.attempts <= MAX_DELIVERIES)).toBe(true);
    }

    const dead = new Set((await db().select().from(failedJobs).where(inArray(failedJobs.messageId, messages.map((m) => m.id)))).map((f) => f.messageId));
    const pushedUsers = [...delivered.values()];
    let lost = 0;
    for (const m of messages) {
      expect(acks.get(m.id), `message ${m.id} acked once`).toBe(1);
      const outcome = dead.has(m.id) ? "dead" : "delivered";
      if (outcome !== expected.get(m.id)) lost++;
    }
    expect(lost).toBe(0);
    expect(delivered.size).toBe(kinds.ok + kinds.flaky);
    expect(pushedUsers.every((n) => n === 1)).toBe(true);
    expect(dead.size).toBe(kinds.broken + 10);
    reportCounts(context, { messages: messages.length, deliveries, processed: delivered.size, dead_lettered: dead.size, lost, duplicates: pushedUsers.filter((n) => n > 1).length });
  });
});
