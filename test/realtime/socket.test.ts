import { env, exports } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/env";
import { createOrder, createUser } from "../helpers/factories";
import { BASE, call } from "../helpers/http";
import { connect, recordEvent, socketRequest } from "../helpers/realtime";

const rawFetch = (url: string, headers: Record<string, string> = { Upgrade: "websocket" }) =>
  exports.default.fetch(new Request(url, { headers }));
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers });

async function expiredToken(userId: number) {
  const config = loadConfig(env);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: "client", token_type: "access" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(String(userId))
    .setIssuer(config.jwtIssuer)
    .setAudience(config.jwtAudience)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 60)
    .sign(new TextEncoder().encode(config.jwtSecret));
}

describe("GET /ws/notifications/ handshake", () => {
  it("opens a socket for a valid token, greets it and answers pings however they are spaced", async () => {
    const user = await createUser("worker");
    const socket = await connect(user.token);
    socket.ws.send('{"type":"ping"}');
    expect(await socket.next()).toEqual({ type: "pong" });
    socket.ws.send('{ "type" : "ping" }');
    expect(await socket.next()).toEqual({ type: "pong" });
    socket.close();
  });

  it.each([
    ["without a status code (a browser's plain close())", undefined, 1000],
    ["with 1000", 1000, 1000],
    ["with an application code", 4001, 4001],
  ])("completes the closing handshake when the client closes %s", async (_, sent, answered) => {
    const user = await createUser();
    const socket = await connect(user.token);
    const closed = new Promise<CloseEvent>((resolve) => socket.ws.addEventListener("close", resolve));
    if (sent === undefined) socket.ws.close();
    else socket.ws.close(sent, "bye");
    const event = await closed;
    expect(event.code).toBe(answered);
    expect(event.wasClean).toBe(true);
  });

  it("is served without the trailing slash too", async () => {
    const user = await createUser();
    const res = await rawFetch(`${BASE}/ws/notifications?token=${user.token}`);
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    res.webSocket!.close();
  });

  it("requires a WebSocket upgrade (426)", async () => {
    const user = await createUser();
    const res = await json(await rawFetch(`${BASE}/ws/notifications/?token=${user.token}`, {}));
    expect(res.status).toBe(426);
    expect(res.body.code).toBe("upgrade_required");
    expect(res.headers.get("Upgrade")).toBe("websocket");
  });

  it("refuses a missing, invalid or expired token with 401 before any socket, even with a bad since", async () => {
    const user = await createUser();
    const garbage = `${user.token.slice(0, -4)}AAAA`;
    for (const query of ["", "?since=abc", "?token=", `?token=${garbage}`, `?token=${await expiredToken(user.id)}`]) {
      const res = await socketRequest(query);
      expect(res.webSocket).toBeNull();
      const { status, body, headers } = await json(res);
      expect(status, query).toBe(401);
      expect(body.code).toBe("not_authenticated");
      expect(headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    }
  });

  it("allows listed browser origins and refuses others with 403", async () => {
    const user = await createUser();
    const listed = await connect(user.token, { origin: "http://localhost:5173" });
    listed.close();
    const res = await socketRequest(`?token=${user.token}`, { Origin: "https://evil.example" });
    expect(res.webSocket).toBeNull();
    const { status, body } = await json(res);
    expect(status).toBe(403);
    expect(body.code).toBe("permission_denied");
  });

  it.each([
    ["development", 101],
    ["production", 403],
    [undefined, 403],
  ])("lets the Worker's own unlisted origin open sockets only in development (ENVIRONMENT=%s)", async (environment, status) => {
    const user = await createUser();
    const ownOrigin = "http://127.0.0.1:34567";
    const request = new Request(`${ownOrigin}/ws/notifications/?token=${user.token}`, { headers: { Upgrade: "websocket", Origin: ownOrigin } });
    const res = await createApp().fetch(request, { ...env, ENVIRONMENT: environment }, createExecutionContext());
    expect(res.status).toBe(status);
    if (res.webSocket) {
      res.webSocket.accept();
      res.webSocket.close();
    }
  });

  it("rejects a since that is not a non-negative integer with 400", async () => {
    const user = await createUser();
    for (const since of ["-1", "abc", "1.5", ""]) {
      const { status, body } = await json(await socketRequest(`?token=${user.token}&since=${since}`));
      expect(status, since).toBe(400);
      expect(body.since).toEqual(["A valid non-negative integer is required."]);
    }
  });
});

describe("the UserNotifications object", () => {
  it("only accepts upgrades that carry the user id the Worker authenticated", async () => {
    const stub = env.USER_NOTIFICATIONS.get(env.USER_NOTIFICATIONS.idFromName("direct"));
    expect((await stub.fetch("https://user-notifications/connect")).status).toBe(426);
    expect((await stub.fetch("https://user-notifications/connect", { headers: { Upgrade: "websocket" } })).status).toBe(400);
  });
});

describe("the socket route in the OpenAPI document", () => {
  it("is documented with its query, 101 and error responses", async () => {
    const op = (await call("GET", "/api/schema/")).body.paths["/ws/notifications/"].get;
    expect(op.operationId).toBe("notifications_socket");
    expect((op.parameters ?? []).filter((p: { name?: string }) => p.name).map((p: { name: string }) => p.name).sort()).toEqual(["since", "token"]);
    expect(Object.keys(op.responses).sort()).toEqual(["101", "400", "401", "403", "426", "503"]);
  });
});

describe("replay with ?since=", () => {
  it("sends the user's missed inbox rows in order before anything else, and only theirs", async () => {
    const order = await createOrder();
    const other = await createOrder();
    await recordEvent({ kind: "status_changed", orderId: order.id, status: "paid" });
    const first = await inboxIds(order.client.token);
    await recordEvent({ kind: "status_changed", orderId: other.id, status: "paid" });
    await recordEvent({ kind: "status_changed", orderId: order.id, status: "in_progress" });
    await recordEvent({ kind: "status_changed", orderId: order.id, status: "completed" });
    const all = await inboxIds(order.client.token);
    expect(all).toHaveLength(3);

    const socket = await connect(order.client.token, { since: first[0] });
    const replayed = await socket.drain();
    expect(replayed.map((m) => m.id)).toEqual([all[1], all[0]]);
    expect(replayed.map((m) => m.notification_type)).toEqual(["in_progress", "completed"]);
    expect(replayed[0]).toMatchObject({ type: "status_update", order_id: order.id, payment_id: null, read: false });
    socket.close();

    const upToDate = await connect(order.client.token, { since: all[0] });
    expect(await upToDate.drain()).toEqual([]);
    upToDate.close();

    const everything = await connect(order.client.token, { since: 0 });
    expect((await everything.drain()).map((m) => m.id)).toEqual([...all].reverse());
    everything.close();
  });
});

/** Ids of the user's inbox, newest first, via the public API. */
async function inboxIds(token: string): Promise<number[]> {
  return (await call("GET", "/api/notifications/", { token })).body.results.map((n: { id: number }) => n.id);
}
