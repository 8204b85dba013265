import { and, eq, gt, gte, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { escrows, orders, refunds } from "../../../drizzle/schema";
import type { AppContext } from "../../context";
import { abortUnlessChanged, isGuardFailure } from "../../db/guards";
import { rowsAffected } from "../../db/results";
import type { AuthUser } from "../../lib/auth-user";
import { ValidationError, conflict, forbidden, notFound } from "../../lib/errors";
import { formatCents } from "../../lib/money";
import { inboxInserts, schedulePush } from "../notifications/notification-events";
import { orderAsSeenBy } from "../orders/order-commands";
import { refundPayment } from "../payments/refunds.service";
import { runBatch } from "./escrow-db";
import { RELEASE_LEASE_MS, releaseEscrow } from "./escrow-release";
import type { DisputeBody, ResolveBody } from "./payouts.schemas";

/** The order's escrow and parties, for a party of the order or an admin; anyone else → 404. */
async function escrowOfParty(ctx: AppContext, user: AuthUser, orderId: number) {
  const [row] = await ctx.db
    .select({ escrow: escrows, clientId: orders.clientId, workerId: orders.workerId, orderStatus: orders.status })
    .from(orders)
    .leftJoin(escrows, eq(escrows.orderId, orders.id))
    .where(and(eq(orders.id, orderId), user.role === "admin" ? undefined : or(eq(orders.clientId, user.id), eq(orders.workerId, user.id))));
  if (!row) throw notFound();
  return row;
}

/**
 * Sharetribe's "mark received": the client of a completed order releases the money now instead of
 * at `release_at`. It sets `confirmed_at` (guarded on the escrow still held and not confirmed), which
 * makes the escrow due and closes the dispute window in the same row, so a racing dispute and this
 * confirm never both win. The release itself is the job's (one winner if both run).
 */
export async function confirmOrder(ctx: AppContext, user: AuthUser, orderId: number) {
  const found = await escrowOfParty(ctx, user, orderId);
  if (found.clientId !== user.id) throw forbidden("Only the order's client can confirm it.");
  const now = new Date();
  const result = await ctx.db
    .update(escrows)
    .set({ confirmedAt: now, releaseAt: sql`min(${escrows.releaseAt}, ${now.getTime()})`, updatedAt: now })
    .where(and(eq(escrows.orderId, orderId), eq(escrows.status, "held"), isNotNull(escrows.releaseAt), isNull(escrows.confirmedAt)));
  if (rowsAffected(result) === 0) throw conflict("Only a completed order whose payment is held (not disputed or released) can be confirmed.");
  await releaseEscrow(ctx, orderId, now);
  return orderAsSeenBy(ctx.db, user, orderId);
}

/**
 * The client disputes a started or completed order before its money is released: the release
 * pauses (status `disputed`) until an admin resolves it; both parties and the admins are told, in
 * the same batch. Guarded on the escrow still being held and its window still open, so a dispute
 * racing a release (or a confirm) ends with exactly one of them.
 */
export async function openDispute(ctx: AppContext, user: AuthUser, orderId: number, input: DisputeBody) {
  const { db } = ctx;
  const found = await escrowOfParty(ctx, user, orderId);
  if (found.clientId !== user.id) throw forbidden("Only the order's client can open a dispute.");
  if (!found.escrow || !["in_progress", "completed"].includes(found.orderStatus)) {
    throw conflict("Only a paid order that has started can be disputed.");
  }
  const now = new Date();
  const opened = inboxInserts(db, { kind: "dispute_opened", orderId });
  try {
    await runBatch(db, [
      db
        .update(escrows)
        .set({ status: "disputed", disputeReason: input.reason, disputedAt: now, updatedAt: now })
        .where(
          and(
            eq(escrows.orderId, orderId),
            eq(escrows.status, "held"),
            isNull(escrows.disputedAt),
            isNull(escrows.confirmedAt),
            or(isNull(escrows.releaseAt), gt(escrows.releaseAt, now)),
          ),
        ),
      abortUnlessChanged(db, "escrow"),
      ...opened.statements,
    ]);
  } catch (error) {
    if (isGuardFailure(error, "escrow")) throw conflict("The order can no longer be disputed: its money was released, refunded, or it was disputed already.");
    throw error;
  }
  schedulePush(ctx.outbox, opened.eventId);
  return orderAsSeenBy(db, user, orderId);
}

/**
 * An admin settles a dispute: `release` pays the worker now; `refund` gives the client `amount`
 * (default: everything held) through the payment's gateway, and the rest goes to the worker with
 * the fee recomputed on what was kept (the refund trigger shrinks the escrow). The resolution is
 * claimed first (one admin wins); a refund the gateway refuses gives the claim back.
 */
export async function resolveDispute(ctx: AppContext, admin: AuthUser, orderId: number, input: ResolveBody) {
  const { db } = ctx;
  if (admin.role !== "admin") throw forbidden();
  const { escrow } = await escrowOfParty(ctx, admin, orderId);
  if (escrow?.status !== "disputed" || escrow.disputeResolution) throw conflict("This order has no open dispute.");
  if (input.resolution === "release" && input.amount !== undefined) throw ValidationError.field("amount", "Only a refund takes an amount.");
  const refundCents = input.resolution === "refund" ? (input.amount ?? escrow.amountCents) : null;
  if (refundCents !== null && refundCents > escrow.amountCents) {
    throw ValidationError.field("amount", `Ensure this value is less than or equal to ${formatCents(escrow.amountCents)} (what is held).`);
  }
  const now = new Date();
  const open = and(eq(escrows.orderId, orderId), eq(escrows.status, "disputed"), isNull(escrows.disputeResolution));
  const claim = await db.update(escrows).set({ disputeResolution: input.resolution, disputeRefundCents: refundCents, disputeResolvedAt: now, updatedAt: now }).where(open);
  if (rowsAffected(claim) === 0) throw conflict("This dispute was resolved meanwhile.");

  if (refundCents !== null) {
    try {
      await refundPayment(ctx, admin.id, escrow.paymentId, { amountCents: refundCents, reason: `Dispute resolved: ${input.reason ?? "refund"}` });
    } catch (error) {
      await reopenDispute(ctx, orderId);
      throw error;
    }
  }
  await finishResolution(ctx, orderId, now);
  await releaseEscrow(ctx, orderId, now);
  return orderAsSeenBy(db, admin, orderId);
}

/** Gives a resolution's claim back: the dispute is open again for an admin to resolve. */
async function reopenDispute(ctx: AppContext, orderId: number) {
  await ctx.db
    .update(escrows)
    .set({ disputeResolution: null, disputeRefundCents: null, disputeResolvedAt: null })
    .where(and(eq(escrows.orderId, orderId), eq(escrows.status, "disputed")));
}

/**
 * Whether a refund resolution got as far as reserving its refund (payments records it in one batch
 * with the reservation, after the resolution's claim): if so, payments' refund recovery finishes it.
 */
async function refundReserved(ctx: AppContext, paymentId: string, since: Date) {
  const [row] = await ctx.db
    .select({ id: refunds.id })
    .from(refunds)
    .where(and(eq(refunds.paymentId, paymentId), gte(refunds.createdAt, since)))
    .limit(1);
  return row !== undefined;
}

/** A resolved dispute's escrow is due now (unless the refund took all of it); the parties are told. */
async function finishResolution(ctx: AppContext, orderId: number, now: Date) {
  const { db } = ctx;
  const resolved = inboxInserts(db, { kind: "dispute_resolved", orderId });
  await runBatch(db, [
    db
      .update(escrows)
      .set({ status: "held", releaseAt: now, updatedAt: now })
      .where(and(eq(escrows.orderId, orderId), eq(escrows.status, "disputed"), isNotNull(escrows.disputeResolution))),
    ...resolved.statements,
  ]);
  schedulePush(ctx.outbox, resolved.eventId);
}

/**
 * Part of the `escrow-release` job. The escalation rule: a dispute still open
 * DISPUTE_ESCALATION_HOURS after it was opened is marked escalated and every admin is told again
 * (once); the release stays paused until an admin resolves it. Also finishes resolutions whose
 * request died after claiming them: a release, or a refund that was reserved (payments' refund
 * recovery completes it); a refund that died before its reservation reopens the dispute instead, so
 * the money an admin meant for the client never goes to the worker.
 */
export async function escalateDisputes(ctx: AppContext, now: Date, escalationHours: number, limit = 100) {
  const { db } = ctx;
  const overdue = await db
    .select({ orderId: escrows.orderId })
    .from(escrows)
    .where(
      and(
        eq(escrows.status, "disputed"),
        isNull(escrows.disputeResolution),
        isNull(escrows.disputeEscalatedAt),
        lte(escrows.disputedAt, new Date(now.getTime() - escalationHours * 3_600_000)),
      ),
    )
    .limit(limit);
  for (const { orderId } of overdue) {
    const escalated = inboxInserts(db, { kind: "dispute_escalated", orderId });
    try {
      await runBatch(db, [
        db
          .update(escrows)
          .set({ disputeEscalatedAt: now, updatedAt: now })
          .where(and(eq(escrows.orderId, orderId), eq(escrows.status, "disputed"), isNull(escrows.disputeEscalatedAt))),
        abortUnlessChanged(db, "escrow"),
        ...escalated.statements,
      ]);
      schedulePush(ctx.outbox, escalated.eventId);
    } catch (error) {
      if (!isGuardFailure(error, "escrow")) throw error;
    }
  }
  const stalled = await db
    .select({ orderId: escrows.orderId, paymentId: escrows.paymentId, refundCents: escrows.disputeRefundCents, resolvedAt: escrows.disputeResolvedAt })
    .from(escrows)
    .where(and(eq(escrows.status, "disputed"), lte(escrows.disputeResolvedAt, new Date(now.getTime() - RELEASE_LEASE_MS))))
    .limit(limit);
  let reopened = 0;
  for (const { orderId, paymentId, refundCents, resolvedAt } of stalled) {
    if (refundCents !== null && resolvedAt && !(await refundReserved(ctx, paymentId, resolvedAt))) {
      await reopenDispute(ctx, orderId);
      reopened++;
    } else await finishResolution(ctx, orderId, now);
  }
  return { escalated: overdue.length, resolutions_finished: stalled.length - reopened, resolutions_reopened: reopened };
}
