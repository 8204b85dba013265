import { z } from "@hono/zod-openapi";
import { PAYMENT_STATUSES, type payments } from "../../../drizzle/schema";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "../../lib/idempotency";
import { formatCents, moneyInput, moneyOutput } from "../../lib/money";
import { idSchema } from "../../lib/openapi";
import { paginationQuery } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import { digitsOnly, isExpired, parseExpiry, passesLuhn } from "./gateways/cards";

export const paymentSchema = z
  .object({
    id: z.string().uuid(),
    order: z.number().int(),
    user: z.number().int(),
    amount: moneyOutput,
    currency: z.string(),
    payment_method: z.string(),
    gateway: z.string(),
    status: z.enum(PAYMENT_STATUSES),
    gateway_transaction_id: z.string().nullable(),
    failure_code: z.string().nullable(),
    failure_message: z.string().nullable(),
    refunded_amount: moneyOutput,
    card_brand: z.string().nullable(),
    card_last4: z.string().nullable(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
    processed_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("Payment");

export type PaymentRow = typeof payments.$inferSelect;
export type PaymentDto = z.infer<typeof paymentSchema>;

export const toPaymentDto = (p: PaymentRow): PaymentDto => ({
  id: p.id,
  order: p.orderId,
  user: p.userId,
  amount: formatCents(p.amountCents),
  currency: p.currency,
  payment_method: p.paymentMethod,
  gateway: p.gateway,
  status: p.status,
  gateway_transaction_id: p.gatewayTransactionId,
  failure_code: p.failureCode,
  failure_message: p.failureMessage,
  refunded_amount: formatCents(p.refundedAmountCents),
  card_brand: p.cardBrand,
  card_last4: p.cardLast4,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
  processed_at: isoOrNull(p.processedAt),
});

const PAYMENT_METHODS = ["card"] as const;

const required = (message: string) => (issue: { input: unknown }) => (issue.input === undefined ? "This field is required." : message);

export const payBody = z
  .object({
    payment_method: z.enum(PAYMENT_METHODS, {
      error: required('Only "card" is supported; other payment methods (e.g. "paypal", "bank_transfer") are not available yet.'),
    }),
    card_number: z
      .string({ error: required("Enter a valid card number.") })
      .transform(digitsOnly)
      .refine(passesLuhn, "Enter a valid card number.")
      .openapi({ example: "4242424242424242", description: "Never stored or echoed; only brand and last4 are kept." }),
    card_expiry: z
      .string({ error: required("Enter the expiry date as MM/YY.") })
      .transform((text, ctx) => {
        const expiry = parseExpiry(text);
        if (!expiry) ctx.addIssue({ code: "custom", message: "Enter the expiry date as MM/YY." });
        else if (isExpired(expiry, new Date())) ctx.addIssue({ code: "custom", message: "This card has expired." });
        return expiry ?? { month: 0, year: 0 };
      })
      .openapi({ type: "string", pattern: "^\\s*(0[1-9]|1[0-2])/\\d{2}\\s*$", example: "12/30", description: "MM/YY, not expired" }),
    card_cvv: z.string({ error: required("Enter the 3 or 4 digit security code.") }).regex(/^\d{3,4}$/, "Enter the 3 or 4 digit security code."),
    card_holder_name: z
      .string({ error: required("Enter the card holder's name.") })
      .trim()
      .min(1, "This field may not be blank.")
      .max(100, "Ensure this field has no more than 100 characters."),
  })
  .openapi("PayRequest");

export type PayInput = z.infer<typeof payBody>;

export const refundBody = z
  .object({
    amount: moneyInput.optional().openapi({ description: "Defaults to what is left to refund." }),
    reason: z.string().trim().max(255, "Ensure this field has no more than 255 characters.").optional(),
  })
  .openapi("RefundRequest");

export const paymentsQuery = paginationQuery.extend({
  status: z.enum(PAYMENT_STATUSES).optional(),
  order: idSchema.optional().openapi({ type: "integer", description: "Only payments of this order" }),
});

export const paymentIdParams = z.object({
  id: z.string().uuid("Must be a valid UUID.").openapi({ param: { name: "id", in: "path" }, format: "uuid" }),
});

export const orderIdParams = z.object({
  order_id: idSchema.openapi({ param: { name: "order_id", in: "path" }, type: "integer", example: 1 }),
});

export const idempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(1, "This field may not be blank.")
    .max(MAX_IDEMPOTENCY_KEY_LENGTH, `Ensure this field has no more than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`)
    .optional()
    .openapi({ param: { name: "idempotency-key", in: "header" }, description: "Same key + same body replays the first response (24 hours)." }),
});
