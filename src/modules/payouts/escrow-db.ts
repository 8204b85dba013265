import type { BatchItem } from "drizzle-orm/batch";
import { inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { escrows, ledgerEntries, type LedgerKind } from "../../../drizzle/schema";
import type { Db } from "../../db/client";

export type EscrowRow = typeof escrows.$inferSelect;

type Statement = BatchItem<"sqlite">;

export const runBatch = (db: Db, statements: Statement[]) => db.batch(statements as [Statement, ...Statement[]]);

/** One ledger row; always in the batch of the state change it records (the table refuses updates and deletes). */
export const ledgerEntry = (db: Db, entry: { orderId: number; paymentId: string | null; kind: LedgerKind; amountCents: number; reference: string | null }) =>
  db.insert(ledgerEntries).values(entry);

/** platformFeeOf (escrow-terms.ts) in SQL over the escrow's own fee terms, for `kept` cents. */
export const feeSql = (kept: SQL) =>
  sql`min(${kept}, (${kept} * ${escrows.feeBasisPoints} + 5000) / 10000 + ${escrows.feeFixedCents})`;

/** Stripe chargeback statuses after which the money may move again; any other open chargeback freezes the release. */
const CHARGEBACK_SETTLED = ["won", "warning_closed"] as const;

/** No chargeback, or one settled in the platform's favour. */
export const notFrozen = () => or(isNull(escrows.chargebackStatus), inArray(escrows.chargebackStatus, CHARGEBACK_SETTLED));
