import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, orders } from "../../drizzle/schema";
import type { PaymentGateway, TransferRequest } from "../../src/modules/payments/gateways/gateway";
import { SandboxGateway } from "../../src/modules/payments/gateways/sandbox-gateway";
import { RELEASE_LEASE_MS, releaseEscrow } from "../../src/modules/payouts/escrow-release";
import { testContext } from "../helpers/context";
import { createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";
import { gatewaysOf } from "../payments/helpers";
import { completedOrder, enableAccount, escrowRow, expectLedgerBalanced, ledgerOf, makeDue, runReleaseJob, startedOrder } from "./helpers";

const inbox = (orderId: number, notificationType: string) =>
  db().select().from(notifications).where(and(eq(notifications.orderId, orderId), eq(notifications.notificationType, notificationType)));

/** The sandbox, counting transfers; `dieAfterTransfer`: the caller never hears the answer (a Worker killed right after the gateway call). */
function recordingSandbox(options: { dieAfterTransfer?: boolean; duringTransfer?: () => Promise<void> } = {}) {
  const sandbox = new SandboxGateway();
  const transfers: TransferRequest[] = [];
  const gateway: PaymentGateway = Object.assign(Object.create(sandbox) as SandboxGateway, {
    async transfer(request: TransferRequest) {
      transfers.push(request);
      await options.duringTransfer?.();
      const result = await sandbox.transfer(request);
      if (options.dieAfterTransfer) throw new Error("the Worker was stopped");
      return result;
    },
  });
  return { gateway, transfers };
}

describe("escrow: held from payment, released after completion", () => {
  it("fixes the fee when the order is paid and holds the whole charge (ledger: one charge)", async () => {
    const order = await startedOrder();
    const res = await call("GET", `/api/orders/${order.id}/`, { token: order.client.token });
    expect(res.body.escrow).toMatchObject({
      status: "held",
      currency: "USD",
      amount: "50.00",
      platform_fee: "5.00",
      worker_amount: "45.00",
      release_at: null,
      released_at: null,
      dispute: null,
      chargeback: null,
    });
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.map((e) => [e.kind, e.amountCents])).toEqual([["charge", 5000]]);
  });

  it("shows no escrow on an unpaid order", async () => {
    const client = await createUser("client");
    const { createOrder } = await import("../helpers/factories");
    const order = await createOrder({ client });
    const res = await call("GET", `/api/orders/${order.id}/`, { token: client.token });
    expect(res.body.escrow).toBeNull();
  });

  it("starts the release clock at completion: release_at = completed_at + ESCROW_RELEASE_HOURS (72)", async () => {
    const order = await completedOrder();
    const res = await call("GET", `/api/orders/${order.id}/`, { token: order.worker.token });
    expect(Date.parse(res.body.escrow?.release_at ?? "") - Date.parse(res.body.completed_at ?? "")).toBe(72 * 3_600_000);
  });

  it("is not released before release_at", async () => {
    const order = await completedOrder({ account: true });
    await runReleaseJob();
    expect((await escrowRow(order.id)).status).toBe("held");
  });

  it("releases at release_at: a transfer of worker_amount, the fee and the transfer in the ledger, the worker told; never twice", async () => {
    const order = await completedOrder({ account: true });
    await makeDue(order.id);
    await runReleaseJob();
    const escrow = await escrowRow(order.id);
    expect(escrow).toMatchObject({ status: "released", workerId: order.worker.id, gatewayTransferId: `tr_sandbox_${escrow.transferId}` });
    expect(escrow.releasedAt).not.toBeNull();
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.map((e) => [e.kind, e.amountCents])).toEqual([
      ["charge", 5000],
      ["fee", -500],
      ["transfer", -4500],
    ]);
    expect((await inbox(order.id, "payout_released")).map((n) => n.userId)).toEqual([order.worker.id]);

    await runReleaseJob(new Date(Date.now() + RELEASE_LEASE_MS * 2));
    expect(await ledgerOf(order.id)).toHaveLength(3);
    const shown = await call("GET", `/api/orders/${order.id}/`, { token: order.client.token });
    expect(shown.body.escrow).toMatchObject({ status: "released", worker_amount: "45.00" });
  });

  it("waits in awaiting_account for a worker without an enabled account (told once), and goes out when the account is enabled", async () => {
    const order = await completedOrder();
    await makeDue(order.id);
    await runReleaseJob();
    await runReleaseJob();
    expect((await escrowRow(order.id)).status).toBe("awaiting_account");
    expect(await inbox(order.id, "payout_awaiting_account")).toHaveLength(1);
    expect(await ledgerOf(order.id)).toHaveLength(1);
    await expectLedgerBalanced(order.id);

    await enableAccount(order.worker);
    expect((await escrowRow(order.id)).status).toBe("released");
    await expectLedgerBalanced(order.id);
  });

  it("two releases at once: one transfer, one record", async () => {
    const order = await completedOrder({ account: true });
    await makeDue(order.id);
    const recording = recordingSandbox();
    const ctx = testContext({ gateways: gatewaysOf(recording.gateway) });
    const outcomes = await Promise.all([releaseEscrow(ctx, order.id), releaseEscrow(ctx, order.id), runReleaseJob()]);
    expect(outcomes.filter((o) => o === "released" || (typeof o === "object" && o.released === 1)).length).toBeGreaterThanOrEqual(1);
    expect((await escrowRow(order.id)).status).toBe("released");
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.filter((e) => e.kind === "transfer")).toHaveLength(1);
  });

  it("a crash between the transfer and its record: the job takes the claim over after the lease and gets the same transfer back", async () => {
    const order = await completedOrder({ account: true });
    await makeDue(order.id);
    const crashing = recordingSandbox({ dieAfterTransfer: true });
    await expect(releaseEscrow(testContext({ gateways: gatewaysOf(crashing.gateway) }), order.id)).rejects.toThrow("stopped");
    const stuck = await escrowRow(order.id);
    expect(stuck.status).toBe("releasing");
    await expectLedgerBalanced(order.id);

    // Within the lease nobody touches it; after it, the job re-sends the same transfer id (the idempotency key).
    await runReleaseJob();
    expect((await escrowRow(order.id)).status).toBe("releasing");
    const recovering = recordingSandbox();
    const ctx = testContext({ gateways: gatewaysOf(recovering.gateway) });
    expect(await releaseEscrow(ctx, order.id, new Date(Date.now() + RELEASE_LEASE_MS + 1000))).toBe("released");
    expect(recovering.transfers.map((t) => t.transferId)).toEqual([crashing.transfers[0].transferId]);
    const escrow = await escrowRow(order.id);
    expect(escrow).toMatchObject({ status: "released", gatewayTransferId: `tr_sandbox_${crashing.transfers[0].transferId}` });
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.filter((e) => e.kind === "transfer")).toHaveLength(1);
  });

  it("a refund before the release shrinks the escrow and recomputes the fee on what is kept", async () => {
    const order = await completedOrder({ account: true });
    const admin = await createUser("admin");
    const refunded = await call("POST", `/api/payments/${order.paymentId}/refund/`, { token: admin.token, body: { amount: "10.00" } });
    expect(refunded.status).toBe(200);
    expect(await escrowRow(order.id)).toMatchObject({ amountCents: 4000, platformFeeCents: 400, workerAmountCents: 3600, refundedCents: 1000 });
    await expectLedgerBalanced(order.id);
    await makeDue(order.id);
    await runReleaseJob();
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.map((e) => [e.kind, e.amountCents])).toEqual([
      ["charge", 5000],
      ["refund", -1000],
      ["fee", -400],
      ["transfer", -3600],
    ]);
  });

  it("a full refund of an order in progress cancels it and leaves nothing held", async () => {
    const order = await startedOrder({ account: true });
    const admin = await createUser("admin");
    await call("POST", `/api/payments/${order.paymentId}/refund/`, { token: admin.token, body: {} });
    expect((await escrowRow(order.id)).status).toBe("refunded");
    const [row] = await db().select({ status: orders.status }).from(orders).where(eq(orders.id, order.id));
    expect(row.status).toBe("canceled");
    await expectLedgerBalanced(order.id);
  });

  it("a refund after the release reverses the worker's share of the transfer; the fee gives back the rest", async () => {
    const order = await completedOrder({ account: true });
    await makeDue(order.id);
    await runReleaseJob();
    const admin = await createUser("admin");
    await call("POST", `/api/payments/${order.paymentId}/refund/`, { token: admin.token, body: { amount: "20.00" } });
    await expectLedgerBalanced(order.id); // the reversal is owed, the platform is short until it is made
    expect((await escrowRow(order.id)).refundedAfterReleaseCents).toBe(2000);
    const outcome = await runReleaseJob();
    expect(outcome.reversed).toBe(1);
    expect(await escrowRow(order.id)).toMatchObject({ reversedCents: 1800, feeReturnedCents: 200 });
    const entries = await expectLedgerBalanced(order.id);
    expect(entries.slice(3).map((e) => [e.kind, e.amountCents])).toEqual([
      ["refund", -2000],
      ["reversal", 1800],
      ["fee", 200],
    ]);
    await runReleaseJob();
    expect(await ledgerOf(order.id)).toHaveLength(6);
    const shown = await call("GET", `/api/orders/${order.id}/`, { token: order.client.token });
    expect(shown.body.escrow).toMatchObject({ refunded: "20.00", reversed: "18.00" });
  });

  it("a refund racing a release: recorded while the transfer is in flight, it is reversed afterwards; the ledger balances", async () => {
    const order = await completedOrder({ account: true });
    await makeDue(order.id);
    const admin = await createUser("admin");
    const racing = recordingSandbox({
      duringTransfer: async () => {
        const res = await call("POST", `/api/payments/${order.paymentId}/refund/`, { token: admin.token, body: { amount: "5.00" } });
        expect(res.status).toBe(200);
      },
    });
    expect(await releaseEscrow(testContext({ gateways: gatewaysOf(racing.gateway) }), order.id)).toBe("released");
    expect(racing.transfers[0].amountCents).toBe(4500);
    await runReleaseJob();
    expect(await escrowRow(order.id)).toMatchObject({ refundedAfterReleaseCents: 500, reversedCents: 450, feeReturnedCents: 50 });
    await expectLedgerBalanced(order.id);
  });

  it("the ledger is append-only", async () => {
    const order = await startedOrder();
    const [entry] = await ledgerOf(order.id);
    const { ledgerEntries } = await import("../../drizzle/schema");
    await expect(db().update(ledgerEntries).set({ amountCents: 1 }).where(eq(ledgerEntries.id, entry.id))).rejects.toThrow();
    await expect(db().delete(ledgerEntries).where(eq(ledgerEntries.id, entry.id))).rejects.toThrow();
  });
});

describe("POST /api/orders/{id}/confirm/", () => {
  const confirm = (orderId: number, token?: string) => call("POST", `/api/orders/${orderId}/confirm/`, { token });

  it("the client releases a completed order's money at once", async () => {
    const order = await completedOrder({ account: true });
    const res = await confirm(order.id, order.client.token);
    expect(res.status).toBe(200);
    expect(res.body.escrow).toMatchObject({ status: "released", worker_amount: "45.00" });
    await expectLedgerBalanced(order.id);
  });

  it("without an enabled account the release waits in awaiting_account", async () => {
    const order = await completedOrder();
    const res = await confirm(order.id, order.client.token);
    expect(res.body.escrow?.status).toBe("awaiting_account");
  });

  it("409 before completion, after the release, and for an unpaid order", async () => {
    const started = await startedOrder({ account: true });
    expect((await confirm(started.id, started.client.token)).body.code).toBe("conflict");
    const order = await completedOrder({ account: true });
    expect((await confirm(order.id, order.client.token)).status).toBe(200);
    expect((await confirm(order.id, order.client.token)).status).toBe(409);
  });

  it("401 without a token, 403 for the worker and admins, 404 for anyone else", async () => {
    const order = await completedOrder({ account: true });
    expect((await confirm(order.id)).status).toBe(401);
    expect((await confirm(order.id, order.worker.token)).status).toBe(403);
    expect((await confirm(order.id, (await createUser("admin")).token)).status).toBe(403);
    expect((await confirm(order.id, (await createUser("client")).token)).status).toBe(404);
    expect((await confirm(order.id, (await createUser("worker")).token)).status).toBe(404);
    expect((await escrowRow(order.id)).status).toBe("held");
  });
});
