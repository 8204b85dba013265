import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { orders } from "../../drizzle/schema";
import { createUser, db } from "../helpers/factories";
import { call } from "../helpers/http";
import { CARDS, cardBody, pay, pendingOrder } from "./helpers";

/** A client with one completed and one failed payment, on an order assigned to `worker`. */
async function clientWithPayments() {
  const worker = await createUser("worker");
  const order = await pendingOrder();
  await db().update(orders).set({ workerId: worker.id }).where(eq(orders.id, order.id));
  const failed = (await pay(order.client.token, order.id, cardBody(CARDS.declined))).body;
  const completed = (await pay(order.client.token, order.id)).body;
  return { client: order.client, worker, order, failed, completed };
}

describe("GET /api/payments/ and /api/payments/{id}/", () => {
  it("shows clients their own payments, newest first, in one query", async () => {
    const { client, failed, completed } = await clientWithPayments();
    await clientWithPayments();
    const res = await call("GET", "/api/payments/", { token: client.token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["count", "next", "previous", "results"]);
    expect(res.body.results.map((p: { id: string }) => p.id)).toEqual([completed.id, failed.id]);
    expect(res.body.count).toBe(2);
    expect(res.headers.get("X-DB-Queries")).toBe("2"); // +1: the caller's account check
  });

  it("shows workers the payments of orders assigned to them", async () => {
    const { worker, order, completed } = await clientWithPayments();
    const res = await call("GET", "/api/payments/", { token: worker.token });
    expect(res.body.count).toBe(2);
    expect(res.body.results.every((p: { order: number }) => p.order === order.id)).toBe(true);
    const detail = await call("GET", `/api/payments/${completed.id}/`, { token: worker.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual(completed);
    expect(detail.headers.get("X-DB-Queries")).toBe("2"); // +1: the caller's account check
  });

  it("shows admins everything and filters by status and order", async () => {
    const admin = await createUser("admin");
    const { order, completed } = await clientWithPayments();
    const all = await call("GET", "/api/payments/?page_size=100", { token: admin.token });
    expect(all.body.count).toBeGreaterThanOrEqual(2);
    const filtered = await call("GET", `/api/payments/?status=completed&order=${order.id}`, { token: admin.token });
    expect(filtered.body.results.map((p: { id: string }) => p.id)).toEqual([completed.id]);
    expect((await call("GET", `/api/payments/${completed.id}/`, { token: admin.token })).status).toBe(200);
  });

  it("paginates with page and page_size, and 404s past the end", async () => {
    const { client } = await clientWithPayments();
    const page = await call("GET", "/api/payments/?page_size=1&page=2", { token: client.token });
    expect(page.body.results).toHaveLength(1);
    expect(page.body.previous).toMatch(/page_size=1/);
    expect(page.body.next).toBeNull();
    expect((await call("GET", "/api/payments/?page=3&page_size=1", { token: client.token })).status).toBe(404);
  });

  it("rejects bad filters with 400", async () => {
    const { client } = await clientWithPayments();
    expect((await call("GET", "/api/payments/?status=lost", { token: client.token })).status).toBe(400);
    expect((await call("GET", "/api/payments/?order=x", { token: client.token })).status).toBe(400);
    expect((await call("GET", "/api/payments/not-a-uuid/", { token: client.token })).status).toBe(400);
  });

  describe("security", () => {
    it("requires a token", async () => {
      expect((await call("GET", "/api/payments/")).status).toBe(401);
      expect((await call("GET", `/api/payments/${crypto.randomUUID()}/`)).status).toBe(401);
    });

    it("hides other people's payments (404) and leaves them out of lists", async () => {
      const { completed } = await clientWithPayments();
      const stranger = await createUser("client");
      const otherWorker = await createUser("worker");
      for (const user of [stranger, otherWorker]) {
        expect((await call("GET", `/api/payments/${completed.id}/`, { token: user.token })).status).toBe(404);
        expect((await call("GET", "/api/payments/", { token: user.token })).body.count).toBe(0);
      }
    });
  });
});
