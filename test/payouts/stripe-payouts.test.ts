import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { escrows, payoutAccounts } from "../../drizzle/schema";
import { SandboxGateway } from "../../src/modules/payments/gateways/sandbox-gateway";
import { RELEASE_LEASE_MS, releaseDueEscrows, releaseEscrow } from "../../src/modules/payouts/escrow-release";
import { testContext } from "../helpers/context";
import { createOrder, createService, createUser, db, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { cardBody, gatewaysOf } from "../payments/helpers";
import { callStripeApp, deliverWebhook, failNextStripeRequest, stripeClient, stripeEvent, stripeGateway } from "../payments/stripe-helpers";
import { escrowRow, expectLedgerBalanced, makeDue } from "./helpers";

const ACCOUNT = "/api/workers/me/payout-account/";
const stripeCtx = () => testContext({ gateways: gatewaysOf(stripeGateway(), new SandboxGateway()) });

/** Finishes the account's hosted onboarding at the fake Stripe and delivers the signed account.updated it causes. */
async function onboardAtStripe(accountId: string, outcome: "enabled" | "restricted" = "enabled") {
  const res = await fetch(`http://127.0.0.1:${inject("fakeStripePort")}/__control/onboard`, { method: "POST", body: `account=${accountId}&outcome=${outcome}` });
  const account = await res.json();
  return deliverWebhook(stripeEvent("account.updated", account as object));
}

async function stripeAccountOf(worker: TestUser) {
  const created = await callStripeApp("POST", ACCOUNT, { token: worker.token });
  expect(created.status).toBe(201);
  const [row] = await db().select().from(payoutAccounts).where(eq(payoutAccounts.userId, worker.id));
  return { created: created.body, accountId: row.accountId };
}

/** A completed order paid through Stripe, its worker's Stripe account enabled (or not). */
async function completedStripeOrder(enabled = true) {
  const worker = await createUser("worker");
  const client = await createUser("client");
  const order = await createOrder({ client, service: await createService({ worker }) });
  const paid = await callStripeApp("POST", `/api/payments/order/${order.id}/pay/`, { token: client.token, body: cardBody() });
  expect(paid.body.status).toBe("completed");
  await call("POST", `/api/orders/${order.id}/assign/`, { token: worker.token, body: {} });
  await call("POST", `/api/orders/${order.id}/status/`, { token: worker.token, body: { status: "completed" } });
  const { accountId } = await stripeAccountOf(worker);
  if (enabled) expect((await onboardAtStripe(accountId)).status).toBe(200);
  return { id: order.id, worker, client, accountId, paymentId: paid.body.id as string, intentId: paid.body.gateway_transaction_id as string };
}

describe("payouts with PAYMENT_GATEWAY=stripe (Stripe Connect through the real SDK)", () => {
  it("creates an Express account and an Account Link; account.updated keeps its status current", async () => {
    const worker = await createUser("worker", { email: "worker@example.com" });
    const { created, accountId } = await stripeAccountOf(worker);
    expect(created).toMatchObject({ status: "pending", gateway: "stripe" });
    expect(created.requirements).toContain("external_account");
    expect(created.onboarding_url).toMatch(new RegExp(`^https://connect\\.stripe\\.com/setup/e/${accountId}/`));
    const account = await stripeClient().accounts.retrieve(accountId);
    expect(account).toMatchObject({ type: "express", email: "worker@example.com", metadata: { user_id: String(worker.id) } });

    expect((await onboardAtStripe(accountId, "restricted")).status).toBe(200);
    let shown = await callStripeApp("GET", ACCOUNT, { token: worker.token });
    expect(shown.body).toMatchObject({ status: "restricted", requirements: ["individual.verification.document"] });
    expect((await onboardAtStripe(accountId)).status).toBe(200);
    shown = await callStripeApp("GET", ACCOUNT, { token: worker.token });
    expect(shown.body).toMatchObject({ status: "enabled", requirements: [] });
    // A second POST keeps the same account.
    await callStripeApp("POST", ACCOUNT, { token: worker.token });
    expect(await db().select().from(payoutAccounts).where(eq(payoutAccounts.userId, worker.id))).toHaveLength(1);
  });

  it("releases with a Transfer: the charge as source_transaction, the order as transfer_group, worker_amount to the connected account", async () => {
    const order = await completedStripeOrder();
    await makeDue(order.id);
    const ctx = stripeCtx();
    await releaseDueEscrows(ctx, new Date());
    const escrow = await escrowRow(order.id);
    expect(escrow.status).toBe("released");
    const transfer = await stripeClient().transfers.retrieve(escrow.gatewayTransferId ?? "");
    const intent = await stripeClient().paymentIntents.retrieve(order.intentId);
    expect(transfer).toMatchObject({
      amount: 4500,
      currency: "usd",
      destination: order.accountId,
      source_transaction: intent.latest_charge,
      transfer_group: `order_${order.id}`,
      metadata: { transfer_id: escrow.transferId },
    });
    await expectLedgerBalanced(order.id);
  });

  it("a refund after the release creates a Transfer Reversal of the worker's share", async () => {
    const order = await completedStripeOrder();
    await makeDue(order.id);
    await releaseDueEscrows(stripeCtx(), new Date());
    const admin = await createUser("admin");
    const refund = await callStripeApp("POST", `/api/payments/${order.paymentId}/refund/`, { token: admin.token, body: { amount: "10.00" } });
    expect(refund.status).toBe(200);
    const outcome = await releaseDueEscrows(stripeCtx(), new Date());
    expect(outcome.reversed).toBeGreaterThanOrEqual(1);
    const escrow = await escrowRow(order.id);
    const transfer = await stripeClient().transfers.retrieve(escrow.gatewayTransferId ?? "");
    expect(transfer.amount_reversed).toBe(900);
    expect(escrow).toMatchObject({ reversedCents: 900, feeReturnedCents: 100 });
    await expectLedgerBalanced(order.id);
  });

  it("a repeated transfer request (a crash before its record) gets the same Stripe transfer back", async () => {
    const order = await completedStripeOrder();
    const gateway = stripeGateway();
    const request = { transferId: crypto.randomUUID(), amountCents: 100, currency: "USD", destination: order.accountId, sourceTransaction: order.intentId, orderId: order.id };
    const first = await gateway.transfer(request);
    const second = await gateway.transfer(request);
    expect(first.ok && second.ok).toBe(true);
    expect(first).toEqual(second);
  });

  it("a transfer whose outcome is unknown (Stripe answers 500) keeps its claim and transfer id; after the lease the job pays with the same key", async () => {
    const order = await completedStripeOrder();
    await makeDue(order.id);
    await failNextStripeRequest(500, "/v1/transfers");
    expect(await releaseEscrow(stripeCtx(), order.id)).toBe("retrying");
    const claimed = await escrowRow(order.id);
    expect(claimed).toMatchObject({ status: "releasing", transferId: expect.any(String), releasedAt: null });
    // Within the lease nobody takes the claim over; after it, the same transfer id goes to Stripe again.
    expect(await releaseEscrow(stripeCtx(), order.id)).toBe("not_due");
    expect(await releaseEscrow(stripeCtx(), order.id, new Date(Date.now() + RELEASE_LEASE_MS + 1_000))).toBe("released");
    const released = await escrowRow(order.id);
    expect(released).toMatchObject({ status: "released", transferId: claimed.transferId });
    const transfer = await stripeClient().transfers.retrieve(released.gatewayTransferId ?? "");
    expect(transfer.metadata).toMatchObject({ transfer_id: claimed.transferId });
    expect(transfer.amount).toBe(released.workerAmountCents);
    await expectLedgerBalanced(order.id);
  });

  it("a transfer Stripe refuses (the account cannot receive transfers) leaves the release waiting", async () => {
    const order = await completedStripeOrder(false);
    // Our record says enabled while Stripe's account is not: Stripe's refusal decides.
    await db().update(payoutAccounts).set({ status: "enabled" }).where(eq(payoutAccounts.userId, order.worker.id));
    await makeDue(order.id);
    expect(await releaseEscrow(stripeCtx(), order.id)).toBe("awaiting_account");
    expect(await escrowRow(order.id)).toMatchObject({ status: "awaiting_account", transferId: null });
    await expectLedgerBalanced(order.id);
  });

  it("a chargeback (charge.dispute.*) freezes the release, is shown to admins only, and a won dispute lets it go", async () => {
    const order = await completedStripeOrder();
    const intent = await stripeClient().paymentIntents.retrieve(order.intentId);
    const dispute = { id: `dp_${order.id}`, object: "dispute", amount: 5000, charge: intent.latest_charge, payment_intent: order.intentId, status: "needs_response", reason: "fraudulent" };
    expect((await deliverWebhook(stripeEvent("charge.dispute.created", dispute))).status).toBe(200);
    await makeDue(order.id);
    await releaseDueEscrows(stripeCtx(), new Date());
    expect(await escrowRow(order.id)).toMatchObject({ status: "held", chargebackStatus: "needs_response" });

    const admin = await createUser("admin");
    expect((await call("GET", `/api/orders/${order.id}/`, { token: admin.token })).body.escrow?.chargeback).toEqual({ id: dispute.id, status: "needs_response" });
    expect((await call("GET", `/api/orders/${order.id}/`, { token: order.client.token })).body.escrow?.chargeback).toBeNull();
    expect((await call("POST", `/api/orders/${order.id}/confirm/`, { token: order.client.token })).body.escrow?.status).toBe("held");

    expect((await deliverWebhook(stripeEvent("charge.dispute.closed", { ...dispute, status: "won" }))).status).toBe(200);
    await releaseDueEscrows(stripeCtx(), new Date());
    expect((await escrowRow(order.id)).status).toBe("released");
    await expectLedgerBalanced(order.id);
  });

  it("an account.updated webhook with a bad signature changes nothing", async () => {
    const worker = await createUser("worker");
    const { accountId } = await stripeAccountOf(worker);
    const res = await deliverWebhook(stripeEvent("account.updated", { id: accountId, object: "account", payouts_enabled: true, capabilities: { transfers: "active" } }), "whsec_wrong");
    expect(res.status).toBe(400);
    const [row] = await db().select({ status: payoutAccounts.status }).from(payoutAccounts).where(eq(payoutAccounts.accountId, accountId));
    expect(row.status).toBe("pending");
    expect(await db().select().from(escrows).where(eq(escrows.workerId, worker.id))).toHaveLength(0);
  });
});
