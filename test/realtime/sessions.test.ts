import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { NotificationDto } from "../../src/modules/notifications/notifications.schemas";
import { CloseCode } from "../../src/modules/notifications/user-sockets";
import { MAX_SOCKETS_PER_USER } from "../../src/realtime/user-notifications";
import { eq } from "drizzle-orm";
import { refreshTokens } from "../../drizzle/schema";
import { createUser, db, PASSWORD, shortLivedToken, type TestUser } from "../helpers/factories";
import { call, uniqueIp } from "../helpers/http";
import { connect, type TestSocket } from "../helpers/realtime";

const stubFor = (userId: number) => env.USER_NOTIFICATIONS.get(env.USER_NOTIFICATIONS.idFromName(String(userId)));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The close event, or a failure if the socket is still open after `ms`. */
const closedWithin = (socket: TestSocket, ms: number) =>
  Promise.race([socket.closed, sleep(ms).then(() => Promise.reject(new Error(`Socket still open after ${ms} ms`)))]);

let pushId = 1_000_000;
const aPush = (): NotificationDto => ({
  id: pushId++,
  type: "status_update",
  notification_type: "in_progress",
  order_id: 1,
  payment_id: null,
  message: "Order #1 is now in progress.",
  data: {},
  read: false,
  created_at: new Date().toISOString(),
});

/** After a close, a push reaches no socket of the user and nothing more arrives on the closed one. */
async function expectNoLaterPush(user: TestUser, socket: TestSocket) {
  const unread = socket.unread;
  expect(await stubFor(user.id).push([aPush()])).toBe(0);
  expect(socket.unread).toBe(unread);
}

const patchUser = (id: number, token: string, body: unknown) => call("PATCH", `/api/users/${id}/`, { token, body });

describe("a session's end closes the user's sockets", () => {
  it("on logout, with 4001 within a second, on every tab", async () => {
    const user = await createUser();
    const { body: tokens } = await call("POST", "/api/auth/login/", { body: { username: user.username, password: PASSWORD }, ip: uniqueIp() });
    const tabs = [await connect(tokens.access), await connect(user.token)];
    const res = await call("POST", "/api/auth/logout/", { token: tokens.access, body: { refresh: tokens.refresh } });
    expect(res.status).toBe(204);
    for (const tab of tabs) expect((await closedWithin(tab, 1000)).code).toBe(CloseCode.SESSION_ENDED);
    await expectNoLaterPush(user, tabs[0]);
  });

  it("on a logout retried after the first attempt died between the revoke and the close", async () => {
    const user = await createUser();
    const { body: tokens } = await call("POST", "/api/auth/login/", { body: { username: user.username, password: PASSWORD }, ip: uniqueIp() });
    const tab = await connect(tokens.access);
    // What the first attempt committed before it died: the family revoked, no 204 sent, the socket still open.
    await db().update(refreshTokens).set({ revokedAt: new Date() }).where(eq(refreshTokens.userId, user.id));
    expect(tab.unread).toBe(0);
    const retry = await call("POST", "/api/auth/logout/", { token: tokens.access, body: { refresh: tokens.refresh } });
    expect(retry.status).toBe(204);
    expect((await closedWithin(tab, 1000)).code).toBe(CloseCode.SESSION_ENDED);
  });

  it.each([
    ["an admin deactivates the user", { is_active: false }, "admin"],
    ["an admin changes the user's role", { role: "worker" }, "admin"],
    ["the user changes their password", { password: "a-brand-new-passphrase", current_password: PASSWORD }, "self"],
  ] as const)("when %s", async (_, change, actor) => {
    const user = await createUser();
    const admin = await createUser("admin");
    const socket = await connect(user.token);
    const res = await patchUser(user.id, actor === "admin" ? admin.token : user.token, change);
    expect(res.status).toBe(200);
    expect((await closedWithin(socket, 1000)).code).toBe(CloseCode.SESSION_ENDED);
    await expectNoLaterPush(user, socket);
  });

  it("but not when only profile fields change", async () => {
    const user = await createUser();
    const socket = await connect(user.token);
    expect((await patchUser(user.id, user.token, { first_name: "Renamed" })).status).toBe(200);
    expect(await stubFor(user.id).push([aPush()])).toBe(1);
    expect((await socket.drain()).map((m) => m.type)).toEqual(["status_update"]);
    socket.close();
  });
});

describe("a socket lives as long as its access token", () => {
  it("closes with 4002 when the token it was opened with expires, and gets no push after", async () => {
    const user = await createUser();
    const socket = await connect(await shortLivedToken(user, 2));
    expect((await closedWithin(socket, 5000)).code).toBe(CloseCode.TOKEN_EXPIRED);
    await expectNoLaterPush(user, socket);
  });

  it("closes at expiry even if the object hibernated in between (the expiry lives in the socket's attachment)", async () => {
    const user = await createUser();
    const socket = await connect(await shortLivedToken(user, 2));
    await evictDurableObject(stubFor(user.id), { webSockets: "hibernate" });
    expect((await closedWithin(socket, 5000)).code).toBe(CloseCode.TOKEN_EXPIRED);
  });

  it("stays open past that expiry when the client sends a fresh token of the same user", async () => {
    const user = await createUser();
    const socket = await connect(await shortLivedToken(user, 2));
    const fresh = await shortLivedToken(user, 60);
    socket.ws.send(JSON.stringify({ type: "auth", token: fresh }));
    const reply = await socket.next<{ type: string; exp: number }>();
    expect(reply).toEqual({ type: "auth_ok", exp: expect.any(Number) });
    expect(reply.exp * 1000).toBeGreaterThan(Date.now() + 50_000);
    await sleep(3500);
    expect(await stubFor(user.id).push([aPush()])).toBe(1);
    expect((await socket.drain()).map((m) => m.type)).toEqual(["status_update"]);
    socket.close();
  });

  it("answers another user's, an invalid or a malformed auth with auth_error and still closes at the first expiry", async () => {
    const user = await createUser();
    const other = await createUser();
    const socket = await connect(await shortLivedToken(user, 2));
    for (const token of [other.token, `${user.token.slice(0, -4)}AAAA`, 42, undefined, "x".repeat(10_000)]) {
      socket.ws.send(JSON.stringify({ type: "auth", token }));
      expect((await socket.next()).type, String(token)).toBe("auth_error");
    }
    for (const junk of ["not json", "null", "[]", '"auth"', '{"type":{"auth":1}}']) socket.ws.send(junk);
    expect(await socket.drain()).toEqual([]);
    expect((await closedWithin(socket, 5000)).code).toBe(CloseCode.TOKEN_EXPIRED);
  });
});

describe("the per-user socket cap", () => {
  it(`keeps ${MAX_SOCKETS_PER_USER} sockets: one more closes the oldest with 4008`, async () => {
    const user = await createUser();
    const sockets: TestSocket[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_USER; i++) sockets.push(await connect(user.token));
    const newest = await connect(user.token);
    expect((await closedWithin(sockets[0], 1000)).code).toBe(CloseCode.TOO_MANY_SOCKETS);
    expect(await stubFor(user.id).push([aPush()])).toBe(MAX_SOCKETS_PER_USER);
    for (const socket of [sockets[1], newest]) expect((await socket.drain()).map((m) => m.type)).toEqual(["status_update"]);
    for (const socket of [...sockets.slice(1), newest]) socket.close();
  });
});
