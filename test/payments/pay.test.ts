import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { idempotencyKeys, notifications, orderStatusHistory, orders } from "../../drizzle/schema";
import { createOrder, createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";
import { CARDS, cardBody, pay, paymentRow, paymentsOfOrder, pendingOrder } from "./helpers";

const orderRow = async (id: number) => (await db().select().from(orders).where(eq(orders.id, id)))[0];

describe("POST /api/payments/order/{order_id}/pay/ with the sandbox gateway", () => {
  it("charges 4242… and marks the order paid, with a system history entry and a notification", async () => {
    const order = await pendingOrder();
    const res = await pay(order.client.token, order.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      order: order.id,
      user: order.client.id,
      amount: "50.00",
      currency: "USD",
      payment_method: "card",
      gateway: "sandbox",
      status: "completed",
      failure_code: null,
      failure_message: null,
      refunded_amount: "0.00",
      card_brand: "visa",
      card_last4: "4242",
    });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.gateway_transaction_id).toMatch(/^ch_sandbox_/);
    expect(res.body.processed_at).toMatch(/Z$/);
    expect((await orderRow(order.id)).status).toBe("paid");

    const history = await db().select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, order.id));
    expect(history.map((h) => [h.status, h.createdById])).toEqual([
      ["pending", order.client.id],
      ["paid", null],
    ]);
    const inbox = await db().select().from(notifications).where(eq(notifications.paymentId, res.body.id));
    expect(inbox.map((n) => [n.userId, n.type, n.notificationType])).toEqual([[order.client.id, "payment_notification", "payment_success"]]);
  });

  it("accepts any other Luhn-valid number and records its brand", async () => {
    const order = await pendingOrder();
    const res = await pay(order.client.token, order.id, cardBody(CARDS.otherValid));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "completed", card_brand: "mastercard", card_last4: "4444" });
  });

  it.each([
    [CARDS.declined, "card_declined", false],
    [CARDS.insufficientFunds, "insufficient_funds", false],
    [CARDS.processingError, "processing_error", true],
  ])("records a failure for %s (%s) and leaves the order pending", async (card, code, retryable) => {
    const order = await pendingOrder();
    const res = await pay(order.client.token, order.id, cardBody(card));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "failed", failure_code: code, gateway_transaction_id: null });
    expect(res.body.failure_message).toEqual(expect.any(String));
    expect((await orderRow(order.id)).status).toBe("pending");
    const row = await paymentRow(res.body.id);
    expect(row.retryable).toBe(retryable);
    expect(row.nextRetryAt !== null).toBe(retryable);
    expect(row.gatewayPaymentMethod).toBe(`tok_sandbox_${code}`);
    const inbox = await db().select().from(notifications).where(eq(notifications.paymentId, res.body.id));
    expect(inbox.map((n) => n.notificationType)).toEqual(["payment_failed"]);
  });

  it("lets the client pay again after a decline, and only once after a success", async () => {
    const order = await pendingOrder();
    expect((await pay(order.client.token, order.id, cardBody(CARDS.declined))).body.status).toBe("failed");
    expect((await pay(order.client.token, order.id)).body.status).toBe("completed");
    const again = await pay(order.client.token, order.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("conflict");
    expect((await paymentsOfOrder(order.id)).map((p) => p.status).sort()).toEqual(["completed", "failed"]);
  });

  it("refuses orders that are not pending with 409", async () => {
    const client = await createUser("client");
    for (const status of ["paid", "in_progress", "completed", "canceled"] as const) {
      const order = await createOrder({ client, status });
      const res = await pay(client.token, order.id);
      expect(res.status, status).toBe(409);
      expect(res.body.code).toBe("conflict");
    }
  });

  it("never stores or echoes the card number or CVV", async () => {
    const order = await pendingOrder();
    const body = cardBody(CARDS.success, { card_cvv: "987" });
    const res = await pay(order.client.token, order.id, body, { "Idempotency-Key": "no-card-data" });
    expect(res.status).toBe(201);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(CARDS.success);
    expect(text).not.toMatch(/cvv/i);
    const row = await paymentRow(res.body.id);
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(CARDS.success);
    expect(stored).not.toContain("424242424242");
    expect(stored).not.toMatch(/cvv/i);
    // Digits like 987 can occur inside timestamps or ids; the CVV must not be any stored value.
    expect(Object.values(row ?? {})).not.toContain("987");
    const [key] = await db().select().from(idempotencyKeys).where(eq(idempotencyKeys.key, "no-card-data"));
    expect(JSON.stringify(key)).not.toContain(CARDS.success);
  });

  describe("validation", () => {
    const expectFieldError = async (body: unknown, field: string) => {
      const order = await pendingOrder();
      const res = await pay(order.client.token, order.id, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(Object.keys(res.body)).toContain(field);
      expect(await paymentsOfOrder(order.id)).toEqual([]);
    };

    it.each(["payment_method", "card_number", "card_expiry", "card_cvv", "card_holder_name"])("names a missing %s", async (field) => {
      const body: Record<string, unknown> = cardBody();
      delete body[field];
      await expectFieldError(body, field);
    });

    it("rejects a number failing the Luhn check", () => expectFieldError(cardBody("4242424242424241"), "card_number"));
    it("rejects a number with letters", () => expectFieldError(cardBody("4242abcd42424242"), "card_number"));
    it("rejects an expired card", () => expectFieldError(cardBody(CARDS.success, { card_expiry: "01/20" }), "card_expiry"));
    it("rejects an expiry that is not MM/YY", () => expectFieldError(cardBody(CARDS.success, { card_expiry: "13/30" }), "card_expiry"));
    it("rejects a CVV that is not 3–4 digits", () => expectFieldError(cardBody(CARDS.success, { card_cvv: "12" }), "card_cvv"));
    it("rejects a blank holder name", () => expectFieldError(cardBody(CARDS.success, { card_holder_name: "  " }), "card_holder_name"));
    it("rejects payment methods other than card", () => expectFieldError(cardBody(CARDS.success, { payment_method: "paypal" }), "payment_method"));

    it("accepts a card expiring this month", async () => {
      const now = new Date();
      const expiry = `${String(now.getUTCMonth() + 1).padStart(2, "0")}/${String(now.getUTCFullYear() % 100).padStart(2, "0")}`;
      const order = await pendingOrder();
      expect((await pay(order.client.token, order.id, cardBody(CARDS.success, { card_expiry: expiry }))).status).toBe(201);
    });

    it("rejects a non-JSON body and a bad order id", async () => {
      const order = await pendingOrder();
      const notJson = await call("POST", `/api/payments/order/${order.id}/pay/`, { token: order.client.token, body: "{", headers: {} });
      expect(notJson.status).toBe(400);
      expect((await pay(order.client.token, "abc" as unknown as number)).status).toBe(400);
    });
  });

  describe("security", () => {
    it("requires a token", async () => {
      const order = await pendingOrder();
      const res = await call("POST", `/api/payments/order/${order.id}/pay/`, { body: cardBody() });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    });

    it("lets only clients pay: workers and admins get 403 whatever the body", async () => {
      const worker = await createUser("worker");
      const order = await createOrder({ workerId: worker.id });
      const admin = await createUser("admin");
      for (const user of [worker, admin]) {
        expect((await pay(user.token, order.id)).status).toBe(403);
        expect((await pay(user.token, order.id, {})).status).toBe(403);
      }
      expect(await paymentsOfOrder(order.id)).toEqual([]);
    });

    it("hides another client's order and unknown orders (404)", async () => {
      const order = await pendingOrder();
      const stranger = await createUser("client");
      expect((await pay(stranger.token, order.id)).status).toBe(404);
      expect((await pay(stranger.token, 99_999_999)).status).toBe(404);
      expect((await orderRow(order.id)).status).toBe("pending");
    });
  });
});
