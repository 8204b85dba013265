import type { AppContext } from "../../context";
import { desc, eq, getTableColumns } from "drizzle-orm";
import { paymentReports } from "../../../drizzle/schema";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import { toPaymentReportDto } from "./reports.schemas";

export async function listPaymentReports(ctx: AppContext, url: string, page: PageRequest, date?: string) {
  const { db } = ctx;
  const rows = await db
    .select({ ...getTableColumns(paymentReports), total: windowTotal() })
    .from(paymentReports)
    .where(date ? eq(paymentReports.reportDate, date) : undefined)
    .orderBy(desc(paymentReports.reportDate))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, toPaymentReportDto);
}
