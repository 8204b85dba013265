import { describe, expect, it } from "vitest";
import { createOrder, createService, createUser, unique } from "../helpers/factories";
import { call } from "../helpers/http";
import { loadDocument } from "../helpers/openapi-contract";
import { contractErrors, expectNoneOf, FULL_USER_KEYS, keysOf, PUBLIC_USER_KEYS, userWithContacts } from "./contacts";

/** A paid, unassigned order of a client with contact data, and a qualified worker browsing it. */
async function openOrder() {
  const client = await userWithContacts("client");
  const address = `${unique("Street")} 7, Springfield`;
  const order = await createOrder({ client, service: await createService(), address, status: "paid" });
  const browser = await userWithContacts("worker");
  return { client, order, address, browser };
}

/** The order as `token` sees it in the list and in the detail, each with its contract check. */
async function viewsOf(orderId: number, token: string) {
  const list = await call("GET", "/api/orders/?page_size=100", { token });
  const detail = await call("GET", `/api/orders/${orderId}/`, { token });
  expect([list.status, detail.status]).toEqual([200, 200]);
  expect(await contractErrors("orders_list", 200, list.body)).toEqual([]);
  expect(await contractErrors("orders_retrieve", 200, detail.body)).toEqual([]);
  const listed = list.body.results.find((o) => o.id === orderId);
  // The list adds the caller's unread message count to each order.
  expect(listed).toBeDefined();
  const { unread_messages: unread, ...fromList } = listed ?? detail.body;
  expect(unread).toBe(0);
  expect(fromList).toEqual(detail.body);
  return [fromList, detail.body];
}

describe("contact data and the address on orders", () => {
  it("a worker browsing an open order sees the job, not the client's email, phone or address", async () => {
    const { client, order, address, browser } = await openOrder();
    for (const seen of await viewsOf(order.id, browser.token)) {
      expect(seen).toMatchObject({
        service: { id: order.service.id },
        description: order.description,
        scheduled_date: order.scheduledDate.toISOString(),
        total_price: "50.00",
        address: null,
        worker: null,
        client: { id: client.id, username: client.username },
      });
      expect(keysOf(seen.client)).toEqual(PUBLIC_USER_KEYS);
      expect(keysOf(seen.status_history[0].created_by)).toEqual(PUBLIC_USER_KEYS);
      expectNoneOf(seen, [client.email, client.phone, address]);
    }
    for (const own of await viewsOf(order.id, client.token)) {
      expect(own).toMatchObject({ address, client: { email: client.email, phone: client.phone } });
    }
  });

  it("once assigned, the worker sees the client's contacts and the address, and the client sees the worker's", async () => {
    const { client, order, address, browser } = await openOrder();
    const assigned = await call("POST", `/api/orders/${order.id}/assign/`, { token: browser.token, body: {} });
    expect(assigned.status).toBe(200);
    expect(await contractErrors("orders_assign", 200, assigned.body)).toEqual([]);
    for (const seen of [assigned.body, ...(await viewsOf(order.id, browser.token))]) {
      expect(seen).toMatchObject({ address, client: { email: client.email, phone: client.phone } });
      expect(keysOf(seen.client)).toEqual(FULL_USER_KEYS);
    }
    for (const seen of await viewsOf(order.id, client.token)) {
      expect(seen.worker).toMatchObject({ id: browser.id, email: browser.email, phone: browser.phone });
    }
    const other = await createUser("worker");
    expect((await call("GET", `/api/orders/${order.id}/`, { token: other.token })).status).toBe(404);
  });

  it("admins see everyone's contacts; the parties see an admin who acted on the order in the public view", async () => {
    const { client, order, address, browser } = await openOrder();
    const admin = await userWithContacts("admin");
    const assigned = await call("POST", `/api/orders/${order.id}/assign/`, { token: admin.token, body: { worker_id: browser.id } });
    expect(assigned.status).toBe(200);
    const adminEntry = (seen: { status_history: { created_by: { id: number } | null }[] }) =>
      seen.status_history.find((h) => h.created_by?.id === admin.id)?.created_by;

    for (const seen of await viewsOf(order.id, admin.token)) {
      expect(seen).toMatchObject({ address, client: { email: client.email }, worker: { email: browser.email } });
      expect(adminEntry(seen)).toMatchObject({ email: admin.email, phone: admin.phone });
    }
    for (const party of [client, browser]) {
      for (const seen of await viewsOf(order.id, party.token)) {
        expect(keysOf(adminEntry(seen))).toEqual(PUBLIC_USER_KEYS);
        expectNoneOf(seen, [admin.email, admin.phone]);
      }
    }
  });

  it("documents both views of an order's users and the nullable address, and a leaked field breaks the contract", async () => {
    const { components } = await loadDocument();
    const order = components.schemas.Order.properties!;
    const views = ["#/components/schemas/User", "#/components/schemas/PublicUser"];
    expect(order.client.anyOf!.map((s) => s.$ref)).toEqual(views);
    expect(order.worker.anyOf!.map((s) => s.$ref ?? s.type)).toEqual([...views, "null"]);
    expect(order.address.type).toEqual(["string", "null"]);
    expect(components.schemas.User.additionalProperties).toBe(false);

    const { client, order: open, browser } = await openOrder();
    const [seen] = await viewsOf(open.id, browser.token);
    expect(await contractErrors("orders_retrieve", 200, { ...seen, client: { ...seen.client, email: client.email } })).toEqual([
      "$.client: matches no anyOf alternative",
    ]);
  });
});
