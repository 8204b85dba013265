import { sql } from "drizzle-orm";
import { paymentReports } from "../../../drizzle/schema";
import type { Db } from "../../db/client";

export interface PaymentReportData {
  payments_count: number;
  /** Amount of the payments that took money (completed, refunded or partially refunded). */
  gross_amount_cents: number;
  refunded_amount_cents: number;
  by_status: Record<string, { count: number; amount_cents: number }>;
  by_gateway: Record<string, { count: number; amount_cents: number }>;
  /** From the ledger, by when the money moved: fees the platform kept (minus fees given back for refunds after a release). */
  fees_earned_cents?: number;
  /** Transferred to workers, minus reversals. */
  transferred_cents?: number;
}

const TOOK_MONEY = new Set(["completed", "refunded", "partially_refunded"]);

/** The UTC day before `now` as YYYY-MM-DD: the 02:00 run reports on the day that just ended. */
export const previousUtcDay = (now: Date) => new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);

/**
 * Counts and totals of the payments created on `day` (UTC), by status and by gateway, stored as that
 * day's report. An upsert: re-running (or two overlapping runs) leaves one, up-to-date row.
 */
export async function buildDailyReport(db: Db, day: string) {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  const end = start + 86_400_000;
  const rows = await db.all<{ status: string; gateway: string; n: number; amount: number; refunded: number }>(sql`
    SELECT status, gateway, count(*) AS n, sum(amount_cents) AS amount, sum(refunded_amount_cents) AS refunded
    FROM payments WHERE created_at >= ${start} AND created_at < ${end}
    GROUP BY status, gateway`);

  const [moved] = await db.all<{ fees: number | null; transferred: number | null }>(sql`
    SELECT -sum(CASE WHEN kind = 'fee' THEN amount_cents END) AS fees,
           -sum(CASE WHEN kind IN ('transfer', 'reversal') THEN amount_cents END) AS transferred
    FROM ledger_entries WHERE created_at >= ${start} AND created_at < ${end}`);

  const data: PaymentReportData = {
    payments_count: 0,
    gross_amount_cents: 0,
    refunded_amount_cents: 0,
    by_status: {},
    by_gateway: {},
    fees_earned_cents: moved?.fees ?? 0,
    transferred_cents: moved?.transferred ?? 0,
  };
  for (const row of rows) {
    data.payments_count += row.n;
    if (TOOK_MONEY.has(row.status)) data.gross_amount_cents += row.amount;
    data.refunded_amount_cents += row.refunded;
    for (const [group, key] of [[data.by_status, row.status], [data.by_gateway, row.gateway]] as const) {
      group[key] ??= { count: 0, amount_cents: 0 };
      const entry = group[key];
      entry.count += row.n;
      entry.amount_cents += row.amount;
    }
  }
  await db
    .insert(paymentReports)
    .values({ reportDate: day, data: data as unknown as Record<string, unknown> })
    .onConflictDoUpdate({ target: paymentReports.reportDate, set: { data: data as unknown as Record<string, unknown>, createdAt: new Date() } });
  return data;
}
