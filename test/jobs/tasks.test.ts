import { describe, expect, it } from "vitest";
import { eq, inArray } from "drizzle-orm";
import { notifications, orderStatusHistory, orders, payments, paymentReports, refreshTokens } from "../../drizzle/schema";
import { cleanupOrders } from "../../src/modules/orders/order-cleanup";
import { cleanupTokens } from "../../src/modules/accounts/token-cleanup";
import { buildDailyReport, previousUtcDay } from "../../src/modules/reports/daily-report";
import { createOrder, createUser, db } from "../helpers/factories";

const DAY = 86_400_000;

describe("token cleanup", () => {
  it("purges expired and revoked refresh tokens but keeps rotated live ones for reuse detection", async () => {
    const user = await createUser();
    const now = new Date();
    const rows = await db()
      .insert(refreshTokens)
      .values([
        { userId: user.id, familyId: "f1", tokenHash: crypto.randomUUID(), expiresAt: new Date(now.getTime() - 1000) },
        { userId: user.id, familyId: "f2", tokenHash: crypto.randomUUID(), expiresAt: new Date(now.getTime() + DAY), revokedAt: now },
        { userId: user.id, familyId: "f3", tokenHash: crypto.randomUUID(), expiresAt: new Date(now.getTime() + DAY), rotatedAt: now },
        { userId: user.id, familyId: "f3", tokenHash: crypto.randomUUID(), expiresAt: new Date(now.getTime() + DAY) },
      ])
      .returning();
    await cleanupTokens(db(), now);
    const left = await db().select().from(refreshTokens).where(eq(refreshTokens.userId, user.id));
    expect(left.map((t) => t.id).sort()).toEqual([rows[2].id, rows[3].id].sort());
    // Running again changes nothing.
    await cleanupTokens(db(), now);
    expect(await db().select().from(refreshTokens).where(eq(refreshTokens.userId, user.id))).toHaveLength(2);
  });
});

describe("order cleanup", () => {
  it("deletes old completed/canceled orders with history, payments and notifications, and nothing else", async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 400 * DAY);
    const oldDone = await createOrder({ status: "completed", updatedAt: old });
    const oldCanceled = await createOrder({ status: "canceled", updatedAt: old });
    const oldButActive = await createOrder({ status: "in_progress", updatedAt: old });
    const recentDone = await createOrder({ status: "completed", updatedAt: new Date(now.getTime() - 10 * DAY) });
    await db().insert(payments).values({
      id: crypto.randomUUID(),
      orderId: oldDone.id,
      userId: oldDone.clientId,
      amountCents: 100,
      paymentMethod: "card",
      gateway: "sandbox",
      status: "completed",
    });
    await db().insert(notifications).values({ userId: oldDone.clientId, eventId: "e", type: "status_update", orderId: oldDone.id, message: "m" });

    const result = await cleanupOrders(db(), now, 365);
    expect(result.orders).toBeGreaterThanOrEqual(2);
    const remaining = await db()
      .select({ id: orders.id })
      .from(orders)
      .where(inArray(orders.id, [oldDone.id, oldCanceled.id, oldButActive.id, recentDone.id]));
    expect(remaining.map((r) => r.id).sort()).toEqual([oldButActive.id, recentDone.id].sort());
    expect(await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, oldDone.id))).toHaveLength(0);
    expect(await db().select().from(payments).where(eq(payments.orderId, oldDone.id))).toHaveLength(0);
    expect(await db().select().from(notifications).where(eq(notifications.orderId, oldDone.id))).toHaveLength(0);
    expect((await cleanupOrders(db(), now, 365)).orders).toBe(0);
  });
});

describe("daily payment report", () => {
  it("reports the previous UTC day by status and gateway, and re-running updates the same row", async () => {
    const day = "2026-03-10";
    const at = new Date(`${day}T12:00:00Z`);
    const order = await createOrder();
    const pay = (status: "completed" | "failed" | "partially_refunded", amount: number, refunded = 0, gateway = "sandbox") =>
      db().insert(payments).values({
        id: crypto.randomUUID(),
        orderId: order.id,
        userId: order.clientId,
        amountCents: amount,
        refundedAmountCents: refunded,
        paymentMethod: "card",
        gateway,
        status,
        createdAt: at,
      });
    await pay("failed", 5000);
    await pay("completed", 5000, 0, "stripe");
    await db().insert(payments).values({
      id: crypto.randomUUID(), orderId: order.id, userId: order.clientId, amountCents: 999, paymentMethod: "card",
      gateway: "sandbox", status: "failed", createdAt: new Date(`2026-03-11T00:00:00Z`),
    });

    expect(previousUtcDay(new Date("2026-03-11T02:00:00Z"))).toBe(day);
    const data = await buildDailyReport(db(), day);
    expect(data).toMatchObject({
      payments_count: 2,
      gross_amount_cents: 5000,
      by_status: { failed: { count: 1, amount_cents: 5000 }, completed: { count: 1, amount_cents: 5000 } },
      by_gateway: { sandbox: { count: 1 }, stripe: { count: 1 } },
    });
    await buildDailyReport(db(), day);
    const stored = await db().select().from(paymentReports).where(eq(paymentReports.reportDate, day));
    expect(stored).toHaveLength(1);
  });
});
