import { and, eq } from "drizzle-orm";
import { payoutAccounts, users } from "../../../drizzle/schema";
import type { AppContext } from "../../context";
import { isUniqueViolation } from "../../db/results";
import type { AuthUser } from "../../lib/auth-user";
import { notFound } from "../../lib/errors";
import { logEvent } from "../../lib/log";
import type { PayoutAccountState } from "../payments/gateways/gateway";
import { SANDBOX_ACCOUNT_PREFIX } from "../payments/gateways/sandbox-gateway";
import { releaseAwaiting } from "./escrow-release";
import { toPayoutAccountDto } from "./payouts.schemas";

type AccountRow = typeof payoutAccounts.$inferSelect;

async function accountOf(ctx: AppContext, userId: number): Promise<AccountRow | undefined> {
  const [row] = await ctx.db.select().from(payoutAccounts).where(eq(payoutAccounts.userId, userId));
  return row;
}

/**
 * The worker's connected account at the current gateway, created on first call (Stripe: an Express
 * account; sandbox: a local one), and a fresh onboarding link (Account Links expire, so each call
 * makes a new one). Two concurrent first calls: the unique user id keeps one account.
 */
export async function createPayoutAccount(ctx: AppContext, worker: AuthUser, baseUrl: string) {
  let account = await accountOf(ctx, worker.id);
  if (!account) {
    const [user] = await ctx.db.select({ email: users.email }).from(users).where(eq(users.id, worker.id));
    const gateway = ctx.gateways.current;
    const state = await gateway.createPayoutAccount({ userId: worker.id, email: user?.email ?? "" });
    try {
      [account] = await ctx.db
        .insert(payoutAccounts)
        .values({ userId: worker.id, gateway: gateway.name, accountId: state.accountId, status: state.status, requirements: state.requirements })
        .returning();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      account = await accountOf(ctx, worker.id);
    }
  }
  if (!account) throw notFound();
  const onboardingUrl = account.status === "enabled" ? null : await ctx.gateways.byName(account.gateway).onboardingUrl(account.accountId, baseUrl);
  return { ...toPayoutAccountDto(account), onboarding_url: onboardingUrl };
}

export async function getPayoutAccount(ctx: AppContext, worker: AuthUser) {
  const account = await accountOf(ctx, worker.id);
  if (!account) throw notFound("No payout account yet: create one with POST.");
  return toPayoutAccountDto(account);
}

/**
 * Applies what the gateway says about an account (Stripe's `account.updated`, the sandbox's
 * onboarding link); when it becomes enabled, the worker's releases waiting for it go out now.
 */
export async function applyAccountState(ctx: AppContext, state: PayoutAccountState): Promise<boolean> {
  const [row] = await ctx.db
    .update(payoutAccounts)
    .set({ status: state.status, requirements: state.requirements, updatedAt: new Date() })
    .where(eq(payoutAccounts.accountId, state.accountId))
    .returning();
  if (!row) {
    logEvent("payout_account_unknown", { account_id: state.accountId });
    return false;
  }
  if (row.status === "enabled") await releaseAwaiting(ctx, row.userId);
  return true;
}

/** The sandbox's hosted onboarding: opening the link enables the account at once. Only sandbox accounts; others → 404. */
export async function completeSandboxOnboarding(ctx: AppContext, accountId: string) {
  const [row] = await ctx.db
    .select()
    .from(payoutAccounts)
    .where(and(eq(payoutAccounts.accountId, accountId), eq(payoutAccounts.gateway, "sandbox")));
  if (!row || !accountId.startsWith(SANDBOX_ACCOUNT_PREFIX)) throw notFound();
  await applyAccountState(ctx, { accountId, status: "enabled", requirements: [] });
  return toPayoutAccountDto({ ...row, status: "enabled", requirements: [] });
}
