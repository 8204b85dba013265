import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { escrows, orders } from "../../../drizzle/schema";
import type { AppContext } from "../../context";
import type { AuthUser } from "../../lib/auth-user";
import { forbidden } from "../../lib/errors";
import { formatCents } from "../../lib/money";
import { iso } from "../../lib/time";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";

const PAYOUT_STATUSES = ["awaiting_account", "releasing", "released"] as const;

/** The calling worker's money in one query: held (not due yet or disputed), available (due, on its way), paid out (net of reversals). */
export async function workerEarnings(ctx: AppContext, worker: AuthUser) {
  const [row] = await ctx.db
    .select({
      held: sql<number>`coalesce(sum(CASE WHEN ${escrows.status} IN ('held', 'disputed') THEN ${escrows.workerAmountCents} END), 0)`.mapWith(Number),
      available: sql<number>`coalesce(sum(CASE WHEN ${escrows.status} IN ('awaiting_account', 'releasing') THEN ${escrows.workerAmountCents} END), 0)`.mapWith(Number),
      paidOut: sql<number>`coalesce(sum(CASE WHEN ${escrows.status} = 'released' THEN ${escrows.workerAmountCents} - ${escrows.reversedCents} END), 0)`.mapWith(Number),
      currency: sql<string | null>`max(${escrows.currency})`,
    })
    .from(escrows)
    .innerJoin(orders, eq(orders.id, escrows.orderId))
    .where(eq(orders.workerId, worker.id));
  return { held: formatCents(row.held), available: formatCents(row.available), paid_out: formatCents(row.paidOut), currency: row.currency ?? "USD" };
}

/** Payouts (escrows due to or paid to a worker), newest first: a worker sees its own, an admin all; clients → 403. */
export async function listPayouts(ctx: AppContext, user: AuthUser, url: string, page: PageRequest, status?: (typeof PAYOUT_STATUSES)[number]) {
  if (user.role === "client") throw forbidden();
  const rows = await ctx.db
    .select({ escrow: escrows, workerId: orders.workerId, total: windowTotal() })
    .from(escrows)
    .innerJoin(orders, eq(orders.id, escrows.orderId))
    .where(
      and(
        status ? eq(escrows.status, status) : inArray(escrows.status, PAYOUT_STATUSES),
        user.role === "admin" ? undefined : eq(orders.workerId, user.id),
      ),
    )
    .orderBy(desc(escrows.updatedAt), desc(escrows.orderId))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, ({ escrow: e, workerId }) => ({
    order_id: e.orderId,
    worker_id: workerId,
    status: e.status,
    amount: formatCents(e.amountCents),
    platform_fee: formatCents(e.platformFeeCents),
    worker_amount: formatCents(e.workerAmountCents),
    reversed: formatCents(e.reversedCents),
    currency: e.currency,
    transfer_id: e.gatewayTransferId,
    released_at: e.releasedAt ? iso(e.releasedAt) : null,
  }));
}
