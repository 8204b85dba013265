import { z } from "@hono/zod-openapi";
import { ESCROW_STATUSES, PAYOUT_ACCOUNT_STATUSES, type payoutAccounts } from "../../../drizzle/schema";
import { moneyInput, moneyOutput } from "../../lib/money";
import { paginationQuery } from "../../lib/pagination";
import { iso } from "../../lib/time";

const dateTime = z.string().openapi({ format: "date-time" });

// ── Payout accounts ──────────────────────────────────────────────────────────────────────────

export const payoutAccountSchema = z
  .object({
    status: z.enum(PAYOUT_ACCOUNT_STATUSES),
    requirements: z.array(z.string()).openapi({ description: "What the gateway still needs from the worker (Stripe's requirements.currently_due)" }),
    gateway: z.string(),
    created_at: dateTime,
    updated_at: dateTime,
  })
  .openapi("PayoutAccount");

export const payoutAccountOnboardingSchema = payoutAccountSchema
  .extend({
    onboarding_url: z
      .string()
      .nullable()
      .openapi({ description: "Where the worker completes onboarding (Stripe: an Account Link; sandbox: a local link that enables the account at once); null once enabled" }),
  })
  .openapi("PayoutAccountOnboarding");

export const toPayoutAccountDto = (row: typeof payoutAccounts.$inferSelect): z.infer<typeof payoutAccountSchema> => ({
  status: row.status,
  requirements: row.requirements,
  gateway: row.gateway,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
});

export const sandboxAccountParams = z.object({
  account_id: z
    .string()
    .regex(/^acct_sandbox_[0-9a-f]{32}$/, "Not a sandbox account id.")
    .openapi({ param: { name: "account_id", in: "path" }, example: "acct_sandbox_0123456789abcdef0123456789abcdef" }),
});

// ── Confirm, disputes ────────────────────────────────────────────────────────────────────────

export const disputeBody = z
  .object({
    reason: z
      .string({ error: "This field is required." })
      .trim()
      .min(1, "This field may not be blank.")
      .max(2000, "Ensure this field has no more than 2000 characters."),
  })
  .strict()
  .openapi("DisputeRequest");

export type DisputeBody = z.infer<typeof disputeBody>;

export const resolveBody = z
  .object({
    resolution: z.enum(["release", "refund"], { error: "Choose one of: release, refund." }),
    amount: moneyInput.optional().openapi({ description: "refund only: what the client gets back (default: all that is held); the rest goes to the worker" }),
    reason: z.string().trim().max(255, "Ensure this field has no more than 255 characters.").optional(),
  })
  .strict()
  .openapi("DisputeResolveRequest");

export type ResolveBody = z.infer<typeof resolveBody>;

// ── Earnings and payouts ─────────────────────────────────────────────────────────────────────

export const earningsSchema = z
  .object({
    held: moneyOutput.openapi({ description: "Worker's share of orders whose money is held (not yet due, or disputed)" }),
    available: moneyOutput.openapi({ description: "Due to the worker and on its way (waiting for the payout account, or being transferred)" }),
    paid_out: moneyOutput.openapi({ description: "Transferred to the worker, minus reversals for later refunds" }),
    currency: z.string(),
  })
  .openapi("Earnings");

export const payoutSchema = z
  .object({
    order_id: z.number().int(),
    worker_id: z.number().int().nullable(),
    status: z.enum(ESCROW_STATUSES),
    amount: moneyOutput.openapi({ description: "What was kept of the charge when it was released" }),
    platform_fee: moneyOutput,
    worker_amount: moneyOutput.openapi({ description: "The transfer to the worker" }),
    reversed: moneyOutput,
    currency: z.string(),
    transfer_id: z.string().nullable().openapi({ description: "The gateway's transfer id" }),
    released_at: dateTime.nullable(),
  })
  .openapi("Payout");

export const payoutsQuery = paginationQuery.extend({
  status: z.enum(["awaiting_account", "releasing", "released"]).optional(),
});
