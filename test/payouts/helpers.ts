import { asc, eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import { escrows, ledgerEntries, payments, refunds } from "../../drizzle/schema";
import { releaseDueEscrows } from "../../src/modules/payouts/escrow-release";
import { testContext } from "../helpers/context";
import { createOrder, createService, createUser, db, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { pay } from "../payments/helpers";

export const escrowRow = async (orderId: number) => (await db().select().from(escrows).where(eq(escrows.orderId, orderId)))[0];

export const ledgerOf = (orderId: number) => db().select().from(ledgerEntries).where(eq(ledgerEntries.orderId, orderId)).orderBy(asc(ledgerEntries.id));

/** Gives the worker an enabled sandbox payout account through the API (create, then open the onboarding link). */
export async function enableAccount(worker: TestUser) {
  const created = await call("POST", "/api/workers/me/payout-account/", { token: worker.token });
  expect(created.status).toBe(201);
  const onboarded = await call("GET", new URL(created.body.onboarding_url ?? "").pathname, {});
  expect(onboarded.body.status).toBe("enabled");
  return created.body;
}

/** A paid order (50.00) with an assigned worker, in progress; `account`: the worker has an enabled payout account. */
export async function startedOrder(options: { account?: boolean; priceCents?: number } = {}) {
  const worker = await createUser("worker");
  const client = await createUser("client");
  const service = await createService({ worker, priceCents: options.priceCents });
  const order = await createOrder({ client, service });
  const paid = await pay(client.token, order.id);
  expect(paid.body.status).toBe("completed");
  const assigned = await call("POST", `/api/orders/${order.id}/assign/`, { token: worker.token, body: {} });
  expect(assigned.body.status).toBe("in_progress");
  if (options.account) await enableAccount(worker);
  return { id: order.id, client, worker, paymentId: paid.body.id as string };
}

export async function completedOrder(options: { account?: boolean; priceCents?: number } = {}) {
  const order = await startedOrder(options);
  const done = await call("POST", `/api/orders/${order.id}/status/`, { token: order.worker.token, body: { status: "completed" } });
  expect(done.body.status).toBe("completed");
  return order;
}

/** Moves the order's release time into the past, as if the window had run out. */
export const makeDue = (orderId: number) =>
  db().update(escrows).set({ releaseAt: new Date(Date.now() - 1000) }).where(eq(escrows.orderId, orderId));

/** The escrow-release job's work, as its cron runs it. */
export async function runReleaseJob(now = new Date()) {
  const ctx = testContext();
  const outcome = await releaseDueEscrows(ctx, now);
  await ctx.settled();
  return outcome;
}

/**
 * The ledger invariant of one order: money in (charges, reversals, fees given back) = money out
 * (refunds, transfers, fees) + what the platform still holds for it, where "held" is what the
 * escrow's state says: everything kept while held, nothing once released or refunded (less any
 * reversal still owed). An order without an escrow holds what was charged minus what was refunded.
 */
export async function expectLedgerBalanced(orderId: number) {
  const entries = await ledgerOf(orderId);
  const sum = entries.reduce((total, e) => total + e.amountCents, 0);
  const escrow = await escrowRow(orderId);
  let held: number;
  if (!escrow) {
    const [row] = await db()
      .select({
        charged: sql<number>`coalesce(sum(CASE WHEN ${payments.status} IN ('completed', 'refunded', 'partially_refunded') THEN ${payments.amountCents} END), 0)`,
        refunded: sql<number>`coalesce((SELECT sum(r.amount_cents) FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.order_id = ${orderId} AND r.gateway_refund_id IS NOT NULL), 0)`,
      })
      .from(payments)
      .where(eq(payments.orderId, orderId));
    held = Number(row.charged) - Number(row.refunded);
  } else if (escrow.status === "released") {
    held = escrow.reversedCents + escrow.feeReturnedCents - escrow.refundedAfterReleaseCents;
  } else if (escrow.status === "releasing") {
    held = escrow.amountCents - escrow.refundedAfterReleaseCents;
  } else if (escrow.status === "refunded") {
    held = 0;
  } else {
    held = escrow.amountCents;
  }
  const moneyIn = entries.filter((e) => e.amountCents > 0).reduce((t, e) => t + e.amountCents, 0);
  const moneyOut = entries.filter((e) => e.amountCents < 0).reduce((t, e) => t - e.amountCents, 0);
  expect({ order: orderId, moneyIn, moneyOutPlusHeld: moneyOut + held }).toEqual({ order: orderId, moneyIn, moneyOutPlusHeld: moneyIn });
  expect(sum).toBe(held);
  // Every charge and confirmed refund of the order has its ledger row.
  const recordedRefunds = await db()
    .select({ id: refunds.id })
    .from(refunds)
    .innerJoin(payments, eq(payments.id, refunds.paymentId))
    .where(sql`${payments.orderId} = ${orderId} AND ${refunds.gatewayRefundId} IS NOT NULL`);
  // (A refund the gateway failed later is undone by a positive refund entry.)
  const refundEntries = entries.filter((e) => e.kind === "refund");
  expect(refundEntries.filter((e) => e.amountCents < 0).length - refundEntries.filter((e) => e.amountCents > 0).length).toBe(recordedRefunds.length);
  return entries;
}
