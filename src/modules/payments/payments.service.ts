import type { AppContext } from "../../context";
import { and, desc, eq, getTableColumns, inArray, type SQL } from "drizzle-orm";
import { orders, payments, type PaymentStatus } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { isUniqueViolation } from "../../db/results";
import type { AuthUser } from "../../lib/auth-user";
import { conflict, notFound } from "../../lib/errors";
import type { OperationId } from "../../lib/idempotency";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import { cardBrand, last4 } from "./gateways/cards";
import { chargeSafely, settleCharge } from "./payment-settlement";
import { toPaymentDto, type PayInput, type PaymentRow } from "./payments.schemas";

/** Clients see what they paid, workers the payments of orders assigned to them, admins everything. */
function visibleTo(db: Db, user: AuthUser): SQL | undefined {
  switch (user.role) {
    case "admin":
      return undefined;
    case "client":
      return eq(payments.userId, user.id);
    case "worker":
      return inArray(payments.orderId, db.select({ id: orders.id }).from(orders).where(eq(orders.workerId, user.id)));
  }
}

export async function listPayments(
  ctx: AppContext,
  user: AuthUser,
  url: string,
  page: PageRequest,
  filters: { status?: PaymentStatus; order?: number },
) {
  const { db } = ctx;
  const rows = await db
    .select({ ...getTableColumns(payments), total: windowTotal() })
    .from(payments)
    .where(
      and(
        visibleTo(db, user),
        filters.status ? eq(payments.status, filters.status) : undefined,
        filters.order ? eq(payments.orderId, filters.order) : undefined,
      ),
    )
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, toPaymentDto);
}

export async function getPayment(ctx: AppContext, user: AuthUser, id: string): Promise<PaymentRow> {
  const { db } = ctx;
  const [row] = await db.select().from(payments).where(and(eq(payments.id, id), visibleTo(db, user)));
  if (!row) throw notFound();
  return row;
}

/**
 * Pays a pending order of the caller. The payment row is inserted as `processing` before the
 * gateway is called: the partial unique index payments_one_live_per_order lets only one live
 * payment exist per order, so concurrent or repeated requests can't charge an order twice.
 * A decline answers with the failed payment; the order stays pending for another try.
 *
 * A keyed request names its payment with the key's operation id, so a rerun after its first run
 * died finds that payment: it answers with it, or, if the charge's outcome was never recorded,
 * charges again with the same gateway idempotency keys, which return the first charge's result.
 */
export async function payOrder(ctx: AppContext, user: AuthUser, orderId: number, input: PayInput, operation?: OperationId): Promise<PaymentRow> {
  const { db } = ctx;
  const [order] = await db
    .select({ status: orders.status, totalPriceCents: orders.totalPriceCents, earlier: payments })
    .from(orders)
    .leftJoin(payments, and(eq(payments.id, operation ?? ""), eq(payments.orderId, orders.id)))
    .where(and(eq(orders.id, orderId), eq(orders.clientId, user.id)));
  if (!order) throw notFound();
  if (order.earlier) return order.earlier.status === "processing" ? charge(ctx, order.earlier, input) : order.earlier;
  if (order.status !== "pending") throw conflict(`Only pending orders can be paid; this order is ${order.status}.`);

  let payment: PaymentRow;
  try {
    [payment] = await db
      .insert(payments)
      .values({
        id: operation ?? crypto.randomUUID(),
        orderId,
        userId: user.id,
        amountCents: order.totalPriceCents,
        paymentMethod: input.payment_method,
        gateway: ctx.gateways.current.name,
        status: "processing",
        cardBrand: cardBrand(input.card_number),
        cardLast4: last4(input.card_number),
      })
      .returning();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict("A payment for this order is already in progress or completed.");
    throw error;
  }
  return charge(ctx, payment, input);
}

async function charge(ctx: AppContext, payment: PaymentRow, input: PayInput): Promise<PaymentRow> {
  const result = await chargeSafely(ctx.gateways.byName(payment.gateway), {
    amountCents: payment.amountCents,
    currency: payment.currency,
    source: {
      card: {
        number: input.card_number,
        expMonth: input.card_expiry.month,
        expYear: input.card_expiry.year,
        cvc: input.card_cvv,
        holderName: input.card_holder_name,
      },
    },
    paymentId: payment.id,
    orderId: payment.orderId,
    attempt: payment.attempts,
    transactionId: payment.gatewayTransactionId,
  });
  const settled = await settleCharge(ctx, payment, result);
  if (!settled.orderWasPending) throw conflict("The order stopped being pending during the payment; the charge was refunded.");
  return settled.payment;
}
