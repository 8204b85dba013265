import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { orders, refunds } from "../../drizzle/schema";
import { ApiError } from "../../src/lib/errors";
import type { ChargeRequest, PaymentGateway } from "../../src/modules/payments/gateways/gateway";
import { SandboxGateway } from "../../src/modules/payments/gateways/sandbox-gateway";
import { payBody } from "../../src/modules/payments/payments.schemas";
import { payOrder } from "../../src/modules/payments/payments.service";
import { db } from "../helpers/factories";
import { CARDS, cardBody, gatewaysOf, paymentsOfOrder, pendingOrder, testDeps } from "./helpers";

/** The sandbox, except that the order gets canceled while the card is being charged. */
class CancelDuringChargeGateway extends SandboxGateway {
  async charge(request: ChargeRequest) {
    await db().update(orders).set({ status: "canceled" }).where(eq(orders.id, request.orderId));
    return super.charge(request);
  }
}

describe("an order canceled while its payment is being charged", () => {
  it("refunds the charge, answers 409 and never leaves money taken for an unpaid order", async () => {
    const order = await pendingOrder();
    const deps = testDeps(gatewaysOf(new CancelDuringChargeGateway() as PaymentGateway));
    const error = await payOrder(deps, { id: order.client.id, role: "client" }, order.id, payBody.parse(cardBody())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(409);

    const [payment] = await paymentsOfOrder(order.id);
    expect(payment).toMatchObject({ status: "refunded", refundedAmountCents: 5000, gatewayTransactionId: expect.stringMatching(/^ch_sandbox_/) });
    const [refund] = await db().select().from(refunds).where(eq(refunds.paymentId, payment.id));
    expect(refund).toMatchObject({ amountCents: 5000, gatewayRefundId: expect.stringMatching(/^re_sandbox_/) });
    expect((await db().select().from(orders).where(eq(orders.id, order.id)))[0]).toMatchObject({ status: "canceled", refundOwed: false });
    await deps.settled();
  });

  it("keeps the refund owed for the retry job when the refund is refused", async () => {
    const order = await pendingOrder();
    const deps = testDeps(gatewaysOf(new CancelDuringChargeGateway() as PaymentGateway));
    await payOrder(deps, { id: order.client.id, role: "client" }, order.id, payBody.parse(cardBody(CARDS.refundFails))).catch(() => undefined);
    const [payment] = await paymentsOfOrder(order.id);
    expect(payment.status).toBe("completed");
    expect((await db().select().from(orders).where(eq(orders.id, order.id)))[0]).toMatchObject({ status: "canceled", refundOwed: true });
    await deps.settled();
  });
});
