import { escrows } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import type { Config } from "../../env";

/** The platform's cut of `amountCents`: the percentage (rounded half up) plus the fixed part, never more than the amount. */
export const platformFeeOf = (amountCents: number, basisPoints: number, fixedCents: number) =>
  Math.min(amountCents, Math.floor((amountCents * basisPoints + 5000) / 10000) + fixedCents);

/**
 * The escrow of an order being paid, for the batch that records the charge (after the order's
 * pending → paid guard): the fee terms and the release delay are fixed here, from today's config.
 * The same fee formula runs in the refund trigger of migrations/0009_escrow_ledger.sql.
 */
export function openEscrowStatement(
  db: Db,
  config: Pick<Config, "platformFeeBasisPoints" | "platformFeeFixedCents" | "escrowReleaseHours">,
  payment: { id: string; orderId: number; amountCents: number; currency: string },
) {
  const fee = platformFeeOf(payment.amountCents, config.platformFeeBasisPoints, config.platformFeeFixedCents);
  return db.insert(escrows).values({
    orderId: payment.orderId,
    paymentId: payment.id,
    currency: payment.currency,
    chargedCents: payment.amountCents,
    amountCents: payment.amountCents,
    feeBasisPoints: config.platformFeeBasisPoints,
    feeFixedCents: config.platformFeeFixedCents,
    platformFeeCents: fee,
    workerAmountCents: payment.amountCents - fee,
    releaseHours: config.escrowReleaseHours,
  })
  // A charge recorded again (its first record was undone by hand or a restore) keeps the terms it was paid with.
  .onConflictDoNothing();
}
