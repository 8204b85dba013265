import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { eq } from "drizzle-orm";
import { payments, refunds } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { errorChainText } from "../../db/results";
import type { PaymentRow } from "./payments.schemas";

export type Statement = BatchItem<"sqlite">;

export const runBatch = (db: Db, statements: Statement[]) => db.batch(statements as [Statement, ...Statement[]]);

/**
 * Put right after a guarded UPDATE of a payment: when that UPDATE changed no row (another request
 * settled the payment first), this inserts a row with a NULL primary key, the NOT NULL constraint
 * fails and the whole batch rolls back; otherwise it inserts nothing. The same trick as
 * guardedHistoryInsert for orders, so notifications never go out for a change that didn't happen.
 */
export const rollbackUnlessChanged = (db: Db) =>
  db.insert(refunds).select(sql`SELECT NULL, NULL, 0, '', NULL, NULL, 0 WHERE changes() = 0`);

/** True when a batch was rolled back by rollbackUnlessChanged. */
export const isPaymentGuardFailure = (error: unknown) => /NOT NULL constraint failed: refunds\.id/.test(errorChainText(error));

export async function loadPayment(db: Db, id: string): Promise<PaymentRow> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id));
  return row;
}
