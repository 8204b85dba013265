import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { notifications, orders, refunds } from "../../drizzle/schema";
import { call } from "../helpers/http";
import { createUser, db } from "../helpers/factories";
import { CARDS, cardBody, pay, paymentRow, pendingOrder } from "./helpers";

const cancel = (orderId: number, token: string) => call("POST", `/api/orders/${orderId}/status/`, { token, body: { status: "canceled" } });
const orderRow = async (id: number) => (await db().select().from(orders).where(eq(orders.id, id)))[0];

describe("canceling a paid order refunds it", () => {
  it("the client cancels before work starts: the payment is refunded in full and the debt cleared", async () => {
    const order = await pendingOrder();
    const paid = await pay(order.client.token, order.id);
    expect(paid.body.status).toBe("completed");

    const res = await cancel(order.id, order.client.token);
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("canceled");
    const payment = await paymentRow(paid.body.id);
    expect(payment).toMatchObject({ status: "refunded", refundedAmountCents: payment.amountCents });
    expect(await db().select().from(refunds).where(eq(refunds.paymentId, paid.body.id))).toHaveLength(1);
    expect((await orderRow(order.id)).refundOwed).toBe(false);
    const inbox = await db().select().from(notifications).where(eq(notifications.orderId, order.id));
    expect(inbox.map((n) => n.notificationType)).toEqual(expect.arrayContaining(["payment_success", "paid", "canceled", "payment_refunded"]));
  });

  it("a gateway that refuses the refund leaves the cancel committed and the refund owed for the retry job", async () => {
    const order = await pendingOrder();
    const paid = await pay(order.client.token, order.id, cardBody(CARDS.refundFails));
    expect(paid.body.status).toBe("completed");
    const admin = await createUser("admin");

    const res = await cancel(order.id, admin.token);
    expect(res.status).toBe(201);
    expect((await orderRow(order.id)).refundOwed).toBe(true);
    expect((await paymentRow(paid.body.id)).status).toBe("completed");
  });

  it("tells an assigned worker that the order was paid", async () => {
    const order = await pendingOrder();
    const worker = await createUser("worker");
    expect((await call("POST", `/api/orders/${order.id}/assign/`, { token: worker.token, body: {} })).status).toBe(200);
    await pay(order.client.token, order.id);
    const inbox = await call("GET", "/api/notifications/", { token: worker.token });
    expect(inbox.body.results.map((n) => n.notification_type)).toContain("paid");
  });
});
