import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "../../drizzle/schema";
import { call, uniqueIp, withinOneRateWindow } from "../helpers/http";
import { ageRotation, createUser, db, PASSWORD, unique } from "../helpers/factories";
import { REFRESH_GRACE_MS } from "../../src/modules/accounts/auth.service";

const register = (body: unknown, ip = uniqueIp()) => call("POST", "/api/auth/register/", { body, ip });
const login = (username: string, password = PASSWORD, ip = uniqueIp()) =>
  call("POST", "/api/auth/login/", { body: { username, password }, ip });

describe("POST /api/auth/register/", () => {
  it("creates a client and never returns the password", async () => {
    const username = unique("alice");
    const res = await register({ username, password: PASSWORD, email: "a@example.com", first_name: "Alice" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username, email: "a@example.com", first_name: "Alice", role: "client", is_verified: false });
    expect(Object.keys(res.body).sort()).toEqual(
      ["date_joined", "email", "first_name", "id", "is_verified", "last_name", "phone", "role", "username"].sort(),
    );
    expect(res.body.date_joined).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("gives a worker a worker profile in the same write", async () => {
    const res = await register({ username: unique("bob"), password: PASSWORD, role: "worker" });
    expect(res.status).toBe(201);
    const profile = await db().query.workerProfiles.findFirst({ where: (p, { eq }) => eq(p.userId, res.body.id) });
    expect(profile).toBeDefined();
  });

  it("refuses to create admins", async () => {
    const username = unique("mallory");
    const res = await register({ username, password: PASSWORD, role: "admin" });
    expect(res.status).toBe(400);
    expect(res.body.role).toHaveLength(1);
    expect(await db().query.users.findFirst({ where: eq(users.username, username) })).toBeUndefined();
  });

  it("rejects a taken username case-insensitively", async () => {
    const username = unique("carol");
    expect((await register({ username, password: PASSWORD })).status).toBe(201);
    const res = await register({ username: username.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ username: ["A user with that username already exists."] });
  });

  it.each([
    [{ password: PASSWORD }, "username"],
    [{ username: "x y", password: PASSWORD }, "username"],
    [{ username: "dave1" }, "password"],
    [{ username: "dave2", password: "short" }, "password"],
    [{ username: "dave3", password: "1234567890" }, "password"],
    [{ username: "dave4password", password: "dave4password" }, "password"],
    [{ username: "dave5", password: PASSWORD, email: "not-an-email" }, "email"],
    [{ username: "dave6", password: PASSWORD, role: "superuser" }, "role"],
    [{ username: 42, password: PASSWORD }, "username"],
  ])("answers bad input %j with a field error on %s", async (body, field) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body[field]).toBeInstanceOf(Array);
  });

  it("answers malformed JSON and wrong content types with 4xx, never a silent {}", async () => {
    const ip = uniqueIp();
    const malformed = await call("POST", "/api/auth/register/", { body: "{not json", ip });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe("parse_error");
    const form = await call("POST", "/api/auth/register/", {
      body: "username=x&password=y",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      ip,
    });
    expect([400, 415]).toContain(form.status);
    const empty = await call("POST", "/api/auth/register/", { ip });
    expect([400, 415]).toContain(empty.status);
  });

  it("rejects oversized bodies with 413", async () => {
    const res = await register({ username: unique("big"), password: PASSWORD, bio: "x".repeat(70_000) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("payload_too_large");
  });

  it("limits registrations per IP with 429 and Retry-After", async () => {
    const ip = uniqueIp();
    await withinOneRateWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await register({ username: "", password: "" }, ip)).status);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    const limited = await register({ username: unique("late"), password: PASSWORD }, ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    expect(limited.body.code).toBe("rate_limited");
  });
});

describe("POST /api/auth/login/", () => {
  it("returns tokens and the user", async () => {
    const user = await createUser("worker");
    const res = await login(user.username);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: user.id, role: "worker" });
    expect(res.body.access.split(".")).toHaveLength(3);
    expect(res.body.refresh.length).toBeGreaterThan(30);
    const me = await call("GET", `/api/users/${user.id}/`, { token: res.body.access });
    expect(me.status).toBe(200);
  });

  it("gives the same answer for a wrong password and an unknown user", async () => {
    const user = await createUser();
    const wrong = await login(user.username, "wrong-password");
    const unknown = await login(unique("ghost"));
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ non_field_errors: ["Unable to log in with provided credentials."] });
    expect(unknown.body).toEqual(wrong.body);
  });

  it("refuses deactivated users", async () => {
    const user = await createUser("client", { isActive: false });
    expect((await login(user.username)).status).toBe(400);
  });

  it("locks a username out for the IP that keeps failing, and only for that IP", async () => {
    const user = await createUser();
    const [attacker, owner] = [uniqueIp(), uniqueIp()];
    await withinOneRateWindow();
    for (let i = 0; i < 10; i++) expect((await login(user.username, "bad-password", attacker)).status).toBe(400);
    const over = await login(user.username.toUpperCase(), "bad-password", attacker);
    expect(over.status).toBe(429);
    expect(over.headers.get("Retry-After")).toBe("60");
    // Locked means locked: the right password from that address is refused too, so a guess cannot be confirmed.
    expect((await login(user.username, PASSWORD, attacker)).status).toBe(429);
    expect((await login(user.username, PASSWORD, owner)).status).toBe(200);
  });

  it("does not count successful logins toward the lockout", async () => {
    const user = await createUser();
    const ip = uniqueIp();
    await withinOneRateWindow(20_000);
    for (let i = 0; i < 12; i++) expect((await login(user.username, PASSWORD, ip)).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await login(user.username, "bad-password", ip)).status).toBe(400);
    expect((await login(user.username, "bad-password", ip)).status).toBe(429);
  });
});

describe("refresh and logout", () => {
  async function session() {
    const user = await createUser();
    const res = await login(user.username);
    return { user, access: res.body.access as string, refresh: res.body.refresh as string };
  }
  const refresh = (token: string) => call("POST", "/api/auth/refresh/", { body: { refresh: token } });

  it("rotates the refresh token", async () => {
    const s = await session();
    const res = await refresh(s.refresh);
    expect(res.status).toBe(200);
    expect(res.body.refresh).not.toBe(s.refresh);
    expect((await refresh(res.body.refresh)).status).toBe(200);
  });

  it("revokes the whole family when a rotated token is reused after the grace period", async () => {
    const s = await session();
    const first = await refresh(s.refresh);
    await ageRotation(s.refresh, REFRESH_GRACE_MS + 1000);
    const reuse = await refresh(s.refresh);
    expect(reuse.status).toBe(401);
    expect(reuse.headers.get("WWW-Authenticate")).toContain("Bearer");
    // The thief's reuse also kills the legitimate holder's newer token.
    expect((await refresh(first.body.refresh)).status).toBe(401);
  });

  it("rejects unknown refresh tokens and access tokens used as refresh tokens", async () => {
    const s = await session();
    expect((await refresh("nonsense")).status).toBe(401);
    expect((await refresh(s.access)).status).toBe(401);
  });

  it("logout ends the family; the access token alone cannot log out", async () => {
    const s = await session();
    expect((await call("POST", "/api/auth/logout/", { body: { refresh: s.refresh } })).status).toBe(401);
    const res = await call("POST", "/api/auth/logout/", { token: s.access, body: { refresh: s.refresh } });
    expect(res.status).toBe(204);
    expect((await refresh(s.refresh)).status).toBe(401);
  });

  it("logout cannot revoke another user's session", async () => {
    const victim = await session();
    const attacker = await session();
    const res = await call("POST", "/api/auth/logout/", { token: attacker.access, body: { refresh: victim.refresh } });
    expect(res.status).toBe(400);
    expect((await refresh(victim.refresh)).status).toBe(200);
  });

  it("a deactivated user loses access at the next refresh", async () => {
    const s = await session();
    await db().update(users).set({ isActive: false }).where(eq(users.id, s.user.id));
    expect((await refresh(s.refresh)).status).toBe(401);
  });
});

describe("access token verification", () => {
  const secret = new TextEncoder().encode(env.JWT_SECRET);
  const path = (id: number) => `/api/users/${id}/`;

  it.each([
    ["expired", (t: SignJWT) => t.setExpirationTime(Math.floor(Date.now() / 1000) - 10)],
    ["wrong audience", (t: SignJWT) => t.setAudience("someone-else").setExpirationTime("5m")],
    ["wrong issuer", (t: SignJWT) => t.setIssuer("evil").setExpirationTime("5m")],
  ])("rejects a token with %s", async (_, mutate) => {
    const user = await createUser();
    const base = new SignJWT({ role: "admin", token_type: "access" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(String(user.id))
      .setIssuer(env.JWT_ISSUER!)
      .setAudience(env.JWT_AUDIENCE!)
      .setJti(crypto.randomUUID())
      .setIssuedAt();
    const token = await mutate(base).sign(secret);
    const res = await call("GET", path(user.id), { token });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("not_authenticated");
  });

  it("rejects alg:none and tampered tokens", async () => {
    const user = await createUser();
    const [, payload] = user.token.split(".");
    const none = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")}.${payload}.`;
    expect((await call("GET", path(user.id), { token: none })).status).toBe(401);
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    const forged = btoa(JSON.stringify({ ...claims, role: "admin" })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const tampered = user.token.replace(payload, forged);
    expect((await call("GET", "/api/users/", { token: tampered })).status).toBe(401);
  });

  it("ignores a malformed token on a public route", async () => {
    const res = await call("GET", "/api/workers/", { token: "garbage" });
    expect(res.status).toBe(200);
  });
});
