import { describe, expect, it } from "vitest";
import { createOrder, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { recordEvent } from "../helpers/realtime";

/** A client with three notifications about their order (oldest first: paid, in_progress, completed). */
async function clientWithInbox() {
  const order = await createOrder();
  for (const status of ["paid", "in_progress", "completed"] as const) {
    await recordEvent({ kind: "status_changed", orderId: order.id, status });
  }
  return { order, client: order.client };
}

const inbox = <Q extends string = "">(user: TestUser, query?: Q) => call("GET", `/api/notifications/${query ?? ""}`, { token: user.token });

describe("GET /api/notifications/", () => {
  it("lists only the caller's notifications, newest first, in one database round trip", async () => {
    const { order, client } = await clientWithInbox();
    await clientWithInbox(); // someone else's
    const res = await inbox(client);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-DB-Queries")).toBe("2"); // +1: the caller's account check
    expect(Object.keys(res.body).sort()).toEqual(["count", "next", "previous", "results"]);
    expect(res.body.count).toBe(3);
    expect(res.body.results.map((n) => n.notification_type)).toEqual(["completed", "in_progress", "paid"]);
    expect(res.body.results[0]).toEqual({
      id: expect.any(Number),
      type: "status_update",
      notification_type: "completed",
      order_id: order.id,
      payment_id: null,
      message: `Order #${order.id} is now completed.`,
      data: { status: "completed" },
      read: false,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
  });

  it("paginates with the standard envelope and 404s past the end", async () => {
    const { client } = await clientWithInbox();
    const first = await inbox(client, "?page_size=2");
    expect(first.body.results).toHaveLength(2);
    expect(first.body.next).toBe("http://127.0.0.1:8787/api/notifications/?page_size=2&page=2");
    const second = await inbox(client, "?page_size=2&page=2");
    expect(second.body.results.map((n) => n.notification_type)).toEqual(["paid"]);
    expect(second.body.previous).toBe("http://127.0.0.1:8787/api/notifications/?page_size=2");
    const past = await inbox(client, "?page_size=2&page=3");
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ detail: "Invalid page.", code: "not_found" });
  });

  it("filters by ?unread=true|false and rejects other values", async () => {
    const { client } = await clientWithInbox();
    const [newest] = (await inbox(client)).body.results;
    await call("POST", `/api/notifications/${newest.id}/read/`, { token: client.token });
    expect((await inbox(client, "?unread=true")).body.results.map((n) => n.notification_type)).toEqual(["in_progress", "paid"]);
    expect((await inbox(client, "?unread=false")).body.results.map((n) => n.id)).toEqual([newest.id]);
    const bad = await inbox(client, "?unread=maybe");
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ unread: ["Must be true or false."] });
  });

  it("is empty for a user without notifications and needs a token", async () => {
    const user = await createUser("worker");
    expect((await inbox(user)).body).toEqual({ count: 0, next: null, previous: null, results: [] });
    const anonymous = await call("GET", "/api/notifications/");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect((await call("GET", "/api/notifications/", { token: "not-a-jwt" })).status).toBe(401);
  });
});

describe("POST /api/notifications/{id}/read/", () => {
  it("marks the caller's notification read and returns it", async () => {
    const { client } = await clientWithInbox();
    const [newest] = (await inbox(client)).body.results;
    const res = await call("POST", `/api/notifications/${newest.id}/read/`, { token: client.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...newest, read: true });
    // Idempotent.
    expect((await call("POST", `/api/notifications/${newest.id}/read/`, { token: client.token })).body.read).toBe(true);
  });

  it("answers 404 for someone else's notification and leaves it unread", async () => {
    const { client } = await clientWithInbox();
    const intruder = await createUser();
    const [newest] = (await inbox(client)).body.results;
    const res = await call("POST", `/api/notifications/${newest.id}/read/`, { token: intruder.token });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
    expect((await inbox(client)).body.results[0].read).toBe(false);
    expect((await call("POST", "/api/notifications/999999999/read/", { token: client.token })).status).toBe(404);
  });

  it("rejects a non-integer id with 400 and a missing token with 401", async () => {
    const { client } = await clientWithInbox();
    const bad = await call("POST", "/api/notifications/abc/read/", { token: client.token });
    expect(bad.status).toBe(400);
    expect(bad.body.id).toBeDefined();
    expect((await call("POST", "/api/notifications/1/read/")).status).toBe(401);
  });
});

describe("POST /api/notifications/read-all/", () => {
  it("marks all of the caller's unread notifications read and reports how many", async () => {
    const { client } = await clientWithInbox();
    const other = await clientWithInbox();
    const [newest] = (await inbox(client)).body.results;
    await call("POST", `/api/notifications/${newest.id}/read/`, { token: client.token });

    const res = await call("POST", "/api/notifications/read-all/", { token: client.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ updated: 2 });
    expect((await inbox(client, "?unread=true")).body.count).toBe(0);
    expect((await inbox(other.client, "?unread=true")).body.count).toBe(3);
    expect((await call("POST", "/api/notifications/read-all/", { token: client.token })).body).toEqual({ updated: 0 });
  });

  it("needs a token", async () => {
    expect((await call("POST", "/api/notifications/read-all/")).status).toBe(401);
  });
});
