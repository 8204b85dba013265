import type { BatchItem } from "drizzle-orm/batch";
import { eq } from "drizzle-orm";
import { payments } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import type { PaymentRow } from "./payments.schemas";

export type Statement = BatchItem<"sqlite">;

export const runBatch = (db: Db, statements: Statement[]) => db.batch(statements as [Statement, ...Statement[]]);

export async function loadPayment(db: Db, id: string): Promise<PaymentRow> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id));
  return row;
}
