import { describe, expect, it } from "vitest";
import type { ChargeRequest } from "../../src/modules/payments/gateways/gateway";
import { StripeGateway } from "../../src/modules/payments/gateways/stripe-gateway";
import { CARDS } from "./helpers";
import { failNextStripeRequest, fakeStripeConfig, stripeClient, stripeGateway } from "./stripe-helpers";

const card = (number: string) => ({ number, expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123", holderName: "Ada Lovelace" });

const charge = (source: ChargeRequest["source"], overrides: Partial<ChargeRequest> = {}): ChargeRequest => ({
  amountCents: 5000,
  currency: "USD",
  source,
  paymentId: crypto.randomUUID(),
  orderId: 7,
  attempt: 1,
  transactionId: null,
  ...overrides,
});

describe("StripeGateway against the fake Stripe server (real SDK)", () => {
  it("creates and confirms a PaymentIntent in cents with our metadata", async () => {
    const request = charge({ card: card(CARDS.success) });
    const result = await stripeGateway().charge(request);
    expect(result).toMatchObject({ ok: true, transactionId: expect.stringMatching(/^pi_/), reference: expect.stringMatching(/^pm_/) });
    const intent = await stripeClient().paymentIntents.retrieve(result.transactionId!);
    expect(intent).toMatchObject({ status: "succeeded", amount: 5000, amount_received: 5000, currency: "usd", metadata: { payment_id: request.paymentId, order_id: "7" } });
  });

  it("creates one PaymentIntent per payment, however often the same payment is charged", async () => {
    const request = charge({ reference: "pm_card_visa" });
    const first = await stripeGateway().charge(request);
    const second = await stripeGateway().charge(request);
    expect(second).toEqual(first);
  });

  it("answers a rerun of the same payment with card data (a request that died) with the first charge", async () => {
    const request = charge({ card: card(CARDS.success) });
    const first = await stripeGateway().charge(request);
    const rerun = await stripeGateway().charge(request);
    expect(first.ok).toBe(true);
    expect(rerun).toEqual(first);
  });

  it.each([
    [CARDS.declined, "card_declined", false],
    [CARDS.insufficientFunds, "insufficient_funds", false],
    [CARDS.processingError, "processing_error", true],
  ])("reports the decline of %s as %s", async (number, code, retryable) => {
    const result = await stripeGateway().charge(charge({ card: card(number) }));
    expect(result).toMatchObject({ ok: false, code, retryable, transactionId: expect.stringMatching(/^pi_/), reference: expect.stringMatching(/^pm_/) });
    if (result.ok) return;
    const intent = await stripeClient().paymentIntents.retrieve(result.transactionId!);
    expect(intent.status).toBe("requires_payment_method");
  });

  it("retries by confirming the same PaymentIntent with the stored PaymentMethod, never a second intent", async () => {
    const request = charge({ reference: "pm_card_chargeDeclinedProcessingError" });
    const failed = await stripeGateway().charge(request);
    expect(failed).toMatchObject({ ok: false, retryable: true });
    const retried = await stripeGateway().charge({ ...request, source: { reference: "pm_card_visa" }, attempt: 2, transactionId: failed.transactionId });
    expect(retried).toMatchObject({ ok: true, transactionId: failed.transactionId });
    // Confirming an intent that already succeeded reports that success instead of charging again.
    const again = await stripeGateway().charge({ ...request, source: { reference: "pm_card_visa" }, attempt: 3, transactionId: failed.transactionId });
    expect(again).toEqual(retried);
  });

  it("marks Stripe outages and unreachable servers as retryable", async () => {
    await failNextStripeRequest(500);
    const outage = await stripeGateway().charge(charge({ reference: "pm_card_visa" }));
    expect(outage).toMatchObject({ ok: false, code: "gateway_unavailable", retryable: true });
    const unreachable = await new StripeGateway({ ...fakeStripeConfig(), port: 9 }).charge(charge({ reference: "pm_card_visa" }));
    expect(unreachable).toMatchObject({ ok: false, retryable: true });
  });

  it("rejects an incorrect card number as a non-retryable failure", async () => {
    const result = await stripeGateway().charge(charge({ card: card("4242424242424241") }));
    expect(result).toMatchObject({ ok: false, code: "incorrect_number", retryable: false, reference: null });
  });

  it("refunds through the Refunds API, partially and up to what is left", async () => {
    const paid = await stripeGateway().charge(charge({ reference: "pm_card_visa" }));
    const gateway = stripeGateway();
    const part = await gateway.refund({ transactionId: paid.transactionId!, amountCents: 2000, refundId: crypto.randomUUID() });
    expect(part).toMatchObject({ ok: true, gatewayRefundId: expect.stringMatching(/^re_/) });
    const tooMuch = await gateway.refund({ transactionId: paid.transactionId!, amountCents: 3001, refundId: crypto.randomUUID() });
    expect(tooMuch).toMatchObject({ ok: false, code: "amount_too_large" });
    const rest = await gateway.refund({ transactionId: paid.transactionId!, amountCents: 3000, refundId: crypto.randomUUID(), reason: "asked" });
    expect(rest.ok).toBe(true);
    const nothingLeft = await gateway.refund({ transactionId: paid.transactionId!, amountCents: 1, refundId: crypto.randomUUID() });
    expect(nothingLeft).toMatchObject({ ok: false, code: "charge_already_refunded" });
  });

  it("uses the refund id as idempotency key: the same refund twice is one refund", async () => {
    const paid = await stripeGateway().charge(charge({ reference: "pm_card_visa" }));
    const request = { transactionId: paid.transactionId!, amountCents: 5000, refundId: crypto.randomUUID() };
    const first = await stripeGateway().refund(request);
    expect(await stripeGateway().refund(request)).toEqual(first);
  });
});
