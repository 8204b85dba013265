import { desc, eq, getTableColumns } from "drizzle-orm";
import { paymentReports } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import { toPaymentReportDto } from "./reports.schemas";

export async function listPaymentReports(db: Db, url: string, page: PageRequest, date?: string) {
  const rows = await db
    .select({ ...getTableColumns(paymentReports), total: windowTotal() })
    .from(paymentReports)
    .where(date ? eq(paymentReports.reportDate, date) : undefined)
    .orderBy(desc(paymentReports.reportDate))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, toPaymentReportDto);
}
