import { z } from "@hono/zod-openapi";
import type { paymentReports } from "../../../drizzle/schema";
import type { PaymentReportData } from "./daily-report";
import { formatCents } from "../../lib/money";
import { paginationQuery } from "../../lib/pagination";
import { iso } from "../../lib/time";

const bucket = z.object({ count: z.number().int(), amount: z.string() });

export const paymentReportSchema = z
  .object({
    id: z.number().int(),
    report_date: z.string().openapi({ example: "2026-11-23" }),
    payments_count: z.number().int(),
    gross_amount: z.string(),
    refunded_amount: z.string(),
    net_amount: z.string(),
    by_status: z.record(z.string(), bucket),
    by_gateway: z.record(z.string(), bucket),
    platform_fees: z.string().openapi({ description: "Fees the platform earned that day (escrow releases, less fees given back for refunds after a release)" }),
    transferred_to_workers: z.string().openapi({ description: "Transferred to workers that day, less transfer reversals" }),
    created_at: z.string(),
  })
  .openapi("PaymentReport");

const buckets = (groups: PaymentReportData["by_status"]) =>
  Object.fromEntries(Object.entries(groups).map(([key, b]) => [key, { count: b.count, amount: formatCents(b.amount_cents) }]));

export function toPaymentReportDto(row: typeof paymentReports.$inferSelect): z.infer<typeof paymentReportSchema> {
  const data = row.data as unknown as PaymentReportData;
  return {
    id: row.id,
    report_date: row.reportDate,
    payments_count: data.payments_count,
    gross_amount: formatCents(data.gross_amount_cents),
    refunded_amount: formatCents(data.refunded_amount_cents),
    net_amount: formatCents(data.gross_amount_cents - data.refunded_amount_cents),
    by_status: buckets(data.by_status),
    by_gateway: buckets(data.by_gateway),
    platform_fees: formatCents(data.fees_earned_cents ?? 0),
    transferred_to_workers: formatCents(data.transferred_cents ?? 0),
    created_at: iso(row.createdAt),
  };
}

export const reportsQuery = paginationQuery.extend({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter a date as YYYY-MM-DD.")
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "Enter a valid date.")
    .optional(),
});
