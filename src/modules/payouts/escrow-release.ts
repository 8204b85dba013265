import { and, eq, gt, inArray, isNotNull, lte, or, sql } from "drizzle-orm";
import { escrows, orders, payments, payoutAccounts } from "../../../drizzle/schema";
import type { AppContext } from "../../context";
import { abortUnlessChanged, isGuardFailure } from "../../db/guards";
import { logEvent } from "../../lib/log";
import { inboxInserts, schedulePush } from "../notifications/notification-events";
import { GATEWAY_TIMEOUT_MS } from "../payments/gateways/gateway";
import { feeSql, ledgerEntry, notFrozen, runBatch, type EscrowRow } from "./escrow-db";

/** A release claimed by a request or job that died is taken over after this (longer than a gateway call may take). */
export const RELEASE_LEASE_MS = 3 * GATEWAY_TIMEOUT_MS;

export type ReleaseOutcome = "released" | "awaiting_account" | "retrying" | "not_due";

/** Held past `release_at` or confirmed by the client (a flag, not a clock, so a racing dispute sees it). */
const heldAndDue = (now: Date) => and(eq(escrows.status, "held"), or(lte(escrows.releaseAt, now), isNotNull(escrows.confirmedAt)));

/** Due now: held and due, or waiting for an account; never while a chargeback is open. */
const dueNow = (now: Date) => and(notFrozen(), or(heldAndDue(now), eq(escrows.status, "awaiting_account")));

/** A claim whose holder stopped answering (a crash between the transfer and its record). */
const staleClaim = (now: Date) => and(eq(escrows.status, "releasing"), lte(escrows.claimedAt, new Date(now.getTime() - RELEASE_LEASE_MS)));

/**
 * Releases one order's escrow if it is due: claims it (held/awaiting_account → releasing, one
 * guarded UPDATE, so of two concurrent releases only one goes on), transfers `worker_amount` to the
 * worker's enabled payout account with the claim's transfer id as idempotency key, then records the
 * transfer and the platform fee in the ledger, in one batch with the notification. A worker without
 * an enabled account: the escrow waits in `awaiting_account` (told once) and is released when the
 * account is enabled. A claim left by a crash is taken over after the lease with the same transfer
 * id, so the gateway answers with the transfer it already made: never lost, never twice.
 */
export async function releaseEscrow(ctx: AppContext, orderId: number, now = new Date()): Promise<ReleaseOutcome> {
  const { db } = ctx;
  const [target] = await db
    .select({ escrow: escrows, workerId: orders.workerId, account: payoutAccounts, gateway: payments.gateway, transactionId: payments.gatewayTransactionId })
    .from(escrows)
    .innerJoin(orders, eq(orders.id, escrows.orderId))
    .innerJoin(payments, eq(payments.id, escrows.paymentId))
    .leftJoin(payoutAccounts, eq(payoutAccounts.userId, orders.workerId))
    .where(and(eq(escrows.orderId, orderId), or(dueNow(now), staleClaim(now))));
  if (!target?.workerId) return "not_due";

  let claimed: EscrowRow | undefined;
  if (target.escrow.status === "releasing") {
    // Take over a dead claim with its transfer id and amounts as they were claimed.
    [claimed] = await db
      .update(escrows)
      .set({ claimedAt: now, updatedAt: now })
      .where(and(eq(escrows.orderId, orderId), staleClaim(now)))
      .returning();
  } else {
    if (target.account?.status !== "enabled") return waitForAccount(ctx, orderId, now);
    [claimed] = await db
      .update(escrows)
      .set({ status: "releasing", transferId: sql`coalesce(${escrows.transferId}, ${crypto.randomUUID()})`, workerId: target.workerId, claimedAt: now, updatedAt: now })
      .where(and(eq(escrows.orderId, orderId), dueNow(now)))
      .returning();
  }
  if (!claimed?.transferId) return "not_due";

  const account = target.account;
  const result =
    claimed.workerAmountCents === 0
      ? { ok: true as const, gatewayTransferId: null }
      : account
        ? await ctx.gateways.byName(target.gateway).transfer({
            transferId: claimed.transferId,
            amountCents: claimed.workerAmountCents,
            currency: claimed.currency,
            destination: account.accountId,
            sourceTransaction: target.transactionId ?? "",
            orderId,
          })
        : { ok: false as const, code: "no_account", message: "The worker has no payout account.", retryable: false };
  logEvent("escrow_transfer", { order_id: orderId, transfer_id: claimed.transferId, amount_cents: claimed.workerAmountCents, ok: result.ok });

  // The transfer may exist: the claim keeps its transfer id, and the job takes it over after the lease.
  if (!result.ok && result.retryable) return "retrying";
  if (!result.ok) {
    await giveBackClaim(ctx, claimed, now);
    return "awaiting_account";
  }
  const released = inboxInserts(db, { kind: "payout_released", orderId });
  try {
    await runBatch(db, [
      db
        .update(escrows)
        .set({ status: "released", releasedAt: now, gatewayTransferId: result.gatewayTransferId, updatedAt: now })
        .where(and(eq(escrows.orderId, orderId), eq(escrows.status, "releasing"), eq(escrows.transferId, claimed.transferId))),
      abortUnlessChanged(db, "escrow"),
      ledgerEntry(db, { orderId, paymentId: claimed.paymentId, kind: "fee", amountCents: -claimed.platformFeeCents, reference: claimed.transferId }),
      ledgerEntry(db, { orderId, paymentId: claimed.paymentId, kind: "transfer", amountCents: -claimed.workerAmountCents, reference: result.gatewayTransferId ?? claimed.transferId }),
      ...released.statements,
    ]);
  } catch (error) {
    if (!isGuardFailure(error, "escrow")) throw error;
    return "released"; // recorded by whoever took the claim over
  }
  schedulePush(ctx.outbox, released.eventId);
  return "released";
}

/** held → awaiting_account (the worker is told once); an escrow already waiting stays as it is. */
async function waitForAccount(ctx: AppContext, orderId: number, now: Date): Promise<ReleaseOutcome> {
  const { db } = ctx;
  const waiting = inboxInserts(db, { kind: "payout_awaiting_account", orderId });
  try {
    await runBatch(db, [
      db
        .update(escrows)
        .set({ status: "awaiting_account", updatedAt: now })
        .where(and(eq(escrows.orderId, orderId), heldAndDue(now), notFrozen())),
      abortUnlessChanged(db, "escrow"),
      ...waiting.statements,
    ]);
    schedulePush(ctx.outbox, waiting.eventId);
  } catch (error) {
    if (!isGuardFailure(error, "escrow")) throw error;
  }
  return "awaiting_account";
}

/**
 * The gateway refused the transfer (a definite answer: no transfer was made): the escrow waits again (with a new transfer id next time, since
 * the gateway would replay its refusal to the old one); refunds recorded during the claim now
 * shrink the held amount as they would have before it.
 */
async function giveBackClaim(ctx: AppContext, claimed: EscrowRow, now: Date) {
  const kept = sql`max(${escrows.amountCents} - ${escrows.refundedAfterReleaseCents}, 0)`;
  await ctx.db
    .update(escrows)
    .set({
      status: sql`CASE WHEN ${kept} = 0 THEN 'refunded' ELSE 'awaiting_account' END`,
      transferId: null,
      claimedAt: null,
      refundedCents: sql`${escrows.refundedCents} + ${escrows.refundedAfterReleaseCents}`,
      amountCents: kept,
      platformFeeCents: feeSql(kept),
      workerAmountCents: sql`${kept} - ${feeSql(kept)}`,
      refundedAfterReleaseCents: 0,
      updatedAt: now,
    })
    .where(and(eq(escrows.orderId, claimed.orderId), eq(escrows.status, "releasing"), eq(escrows.transferId, claimed.transferId ?? "")));
}

/**
 * Refunds recorded after a release (or during it) take the worker's share back: a transfer reversal
 * of the refund's share of the transfer (worker_amount / amount, rounded), the rest comes out of the
 * fee, so the platform never pays a refund for the worker. Idempotent per refunded total: the
 * reversal's key names it, and the record is guarded on the totals it started from.
 */
async function reverseForRefund(ctx: AppContext, escrow: EscrowRow, now = new Date()): Promise<boolean> {
  const { db } = ctx;
  const owed = escrow.refundedAfterReleaseCents;
  const reversalTotal = escrow.amountCents === 0 ? 0 : Math.min(escrow.workerAmountCents, Math.round((owed * escrow.workerAmountCents) / escrow.amountCents));
  const reversal = reversalTotal - escrow.reversedCents;
  const feeBack = owed - reversalTotal - escrow.feeReturnedCents;
  if (reversal <= 0 && feeBack <= 0) return false;
  let reference: string | null = null;
  if (reversal > 0 && escrow.gatewayTransferId) {
    const [payment] = await db.select({ gateway: payments.gateway }).from(payments).where(eq(payments.id, escrow.paymentId));
    const result = await ctx.gateways
      .byName(payment.gateway)
      .reverseTransfer({ gatewayTransferId: escrow.gatewayTransferId, amountCents: reversal, reversalKey: `${escrow.transferId}:reversal:${owed}` });
    logEvent("escrow_reversal", { order_id: escrow.orderId, amount_cents: reversal, ok: result.ok });
    if (!result.ok) return false; // the next run tries again
    reference = result.gatewayReversalId;
  }
  try {
    await runBatch(db, [
      db
        .update(escrows)
        .set({ reversedCents: reversalTotal, feeReturnedCents: owed - reversalTotal, updatedAt: now })
        .where(
          and(
            eq(escrows.orderId, escrow.orderId),
            eq(escrows.status, "released"),
            eq(escrows.refundedAfterReleaseCents, owed),
            eq(escrows.reversedCents, escrow.reversedCents),
            eq(escrows.feeReturnedCents, escrow.feeReturnedCents),
          ),
        ),
      abortUnlessChanged(db, "escrow"),
      ...(reversal > 0 ? [ledgerEntry(db, { orderId: escrow.orderId, paymentId: escrow.paymentId, kind: "reversal", amountCents: reversal, reference })] : []),
      ...(feeBack > 0 ? [ledgerEntry(db, { orderId: escrow.orderId, paymentId: escrow.paymentId, kind: "fee", amountCents: feeBack, reference: `${escrow.transferId}:fee-returned:${owed}` })] : []),
    ]);
    return true;
  } catch (error) {
    if (!isGuardFailure(error, "escrow")) throw error;
    return false;
  }
}

/**
 * The `escrow-release` job (every minute, so no release is more than a minute late): releases what
 * is due (held past release_at; awaiting an account that is now enabled; claims left by a crash),
 * then reverses transfers for refunds made after a release. One failure doesn't hold up the rest.
 */
export async function releaseDueEscrows(ctx: AppContext, now: Date, limit = 100) {
  const { db } = ctx;
  const due = await db
    .select({ orderId: escrows.orderId })
    .from(escrows)
    .innerJoin(orders, eq(orders.id, escrows.orderId))
    .leftJoin(payoutAccounts, eq(payoutAccounts.userId, orders.workerId))
    .where(
      or(
        and(heldAndDue(now), notFrozen()),
        and(eq(escrows.status, "awaiting_account"), eq(payoutAccounts.status, "enabled"), notFrozen()),
        staleClaim(now),
      ),
    )
    .limit(limit);
  const outcomes = { released: 0, awaiting_account: 0, retrying: 0, not_due: 0, failed: 0, reversed: 0 };
  for (const { orderId } of due) {
    try {
      outcomes[await releaseEscrow(ctx, orderId, now)]++;
    } catch (error) {
      outcomes.failed++;
      logEvent("escrow_release_failed", { order_id: orderId, error: String(error) });
    }
  }
  const owing = await db
    .select()
    .from(escrows)
    .where(and(eq(escrows.status, "released"), gt(escrows.refundedAfterReleaseCents, sql`${escrows.reversedCents} + ${escrows.feeReturnedCents}`)))
    .limit(limit);
  for (const escrow of owing) {
    try {
      if (await reverseForRefund(ctx, escrow, now)) outcomes.reversed++;
    } catch (error) {
      logEvent("escrow_reversal_failed", { order_id: escrow.orderId, error: String(error) });
    }
  }
  return outcomes;
}

/** Escrows of `workerId` waiting for an account: released right away once it is enabled (the job would within a minute). */
export async function releaseAwaiting(ctx: AppContext, workerId: number, now = new Date()) {
  const waiting = await ctx.db
    .select({ orderId: escrows.orderId })
    .from(escrows)
    .innerJoin(orders, eq(orders.id, escrows.orderId))
    .where(and(eq(orders.workerId, workerId), inArray(escrows.status, ["awaiting_account"])))
    .limit(100);
  for (const { orderId } of waiting) await releaseEscrow(ctx, orderId, now);
}
