import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/env";
import { PASSWORD } from "../helpers/factories";
import { reportCounts } from "../helpers/hardening-report";
import { createWorld, existingParams, roleFor, type World } from "../helpers/hardening-world";
import { call, uniqueIp, withinOneRateWindow } from "../helpers/http";
import { fillPath, loadDocument, operationsOf } from "../helpers/openapi-contract";

const doc = await loadDocument();
const operations = operationsOf(doc);
const config = loadConfig(env);
const base64url = (value: object) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** An access token for `userId` with one thing wrong (or nothing, with no overrides). */
function accessToken(userId: number, wrong: { secret?: string; audience?: string; issuer?: string; expiredSecondsAgo?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ role: "admin", token_type: "access" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(String(userId))
    .setIssuer(wrong.issuer ?? config.jwtIssuer)
    .setAudience(wrong.audience ?? config.jwtAudience)
    .setJti(crypto.randomUUID());
  if (wrong.expiredSecondsAgo) jwt.setIssuedAt(now - 3600).setExpirationTime(now - wrong.expiredSecondsAgo);
  else jwt.setIssuedAt(now).setExpirationTime(now + 600);
  return jwt.sign(new TextEncoder().encode(wrong.secret ?? config.jwtSecret));
}

/** Bearer values that must never authenticate (all claim to be the admin of `world`). */
async function badCredentials(world: World): Promise<Record<string, string | undefined>> {
  const adminId = world.users.admin.id;
  const [header, , signature] = world.users.client.token.split(".");
  const claims = { sub: String(adminId), role: "admin", token_type: "access", iss: config.jwtIssuer, aud: config.jwtAudience, jti: "x", iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 };
  const login = await call("POST", "/api/auth/login/", { ip: uniqueIp(), body: { username: world.users.admin.username, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  return {
    "no Authorization header": undefined,
    "empty bearer": "Bearer ",
    "another scheme": `Basic ${btoa(`${world.users.admin.username}:${PASSWORD}`)}`,
    expired: `Bearer ${await accessToken(adminId, { expiredSecondsAgo: 60 })}`,
    "wrong audience": `Bearer ${await accessToken(adminId, { audience: "another-api" })}`,
    "wrong issuer": `Bearer ${await accessToken(adminId, { issuer: "someone-else" })}`,
    "signed with another secret": `Bearer ${await accessToken(adminId, { secret: "x".repeat(64) })}`,
    "tampered payload (client token claiming admin)": `Bearer ${header}.${base64url(claims)}.${signature}`,
    "alg: none": `Bearer ${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`,
    "refresh token used as access token": `Bearer ${login.body.refresh}`,
  };
}

describe("broken authentication: every protected route in the schema refuses bad credentials with 401", () => {
  let world: World;
  let credentials: Record<string, string | undefined>;
  beforeAll(async () => {
    world = await createWorld();
    credentials = await badCredentials(world);
  });

  const protectedOps = operations.filter((op) => op.requiresAuth);
  let requests = 0;
  for (const op of protectedOps) {
    it(`${op.method} ${op.path}`, async () => {
      const path = fillPath(op.path, existingParams(op, world, "admin"));
      for (const [name, authorization] of Object.entries(credentials)) {
        const res = await call(op.method, path, { headers: authorization ? { Authorization: authorization } : {}, body: op.body ? {} : undefined });
        requests++;
        expect(res.status, `${name} on ${op.method} ${path}`).toBe(401);
        expect(res.body.code).toBe("not_authenticated");
        expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
      }
    });
  }

  it("public routes that accept a token serve a bad one as anonymous", async () => {
    const optional = operations.filter((op) => !op.requiresAuth && op.method === "GET" && !op.path.includes("{"));
    for (const op of optional) {
      const anonymous = await call("GET", op.path);
      for (const authorization of Object.values(credentials)) {
        const res = await call("GET", op.path, { headers: authorization ? { Authorization: authorization } : {} });
        expect([res.status, op.path]).toEqual([anonymous.status, op.path]);
      }
    }
  });

  it("counted every route and credential", (context) => {
    expect(requests).toBe(protectedOps.length * Object.keys(credentials).length);
    reportCounts(context, { routes: protectedOps.length, bad_credentials: Object.keys(credentials).length, requests });
  });
});

describe("unrestricted resource consumption", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  const lists = operations.filter((op) => op.parameters.some((p) => p.name === "page_size"));
  for (const op of lists) {
    it(`${op.operationId}: page_size is capped at 100`, async () => {
      const role = await roleFor(op, world);
      const token = role && world.users[role].token;
      const path = fillPath(op.path, existingParams(op, world, role ?? "client"));
      const over = await call("GET", `${path}?page_size=101`, { token });
      expect(over.status).toBe(400);
      expect(over.body.page_size).toEqual([expect.any(String)]);
      expect((await call("GET", `${path}?page_size=100`, { token })).status).toBe(200);
      expect((await call("GET", `${path}?page_size=100000000000`, { token })).status).toBe(400);
    });
  }

  const bodyOps = operations.filter((op) => op.body);
  for (const op of bodyOps) {
    it(`${op.operationId}: a body over 64 KiB is 413`, async () => {
      const role = await roleFor(op, world);
      const path = fillPath(op.path, existingParams(op, world, role ?? "client"));
      const body = JSON.stringify({ description: "x".repeat(70 * 1024) });
      const res = await call(op.method, path, { token: role && world.users[role].token, body, ip: uniqueIp() });
      expect(res.status).toBe(413);
      expect(res.body.code).toBe("payload_too_large");
    });
  }

  const limited = operations.filter((op) => op.responses["429"]);
  // Per-caller limits of authenticated routes (orders_create, orders_messages_create) have their own tests.
  for (const op of limited.filter((op) => !op.requiresAuth)) {
    it(`${op.operationId}: one client hammering it gets 429 with Retry-After; other clients are still served`, async () => {
      const ip = uniqueIp();
      await withinOneRateWindow();
      let res = await call(op.method, op.path, { ip, body: { username: world.users.client.username, password: "wrong-password" } });
      for (let attempt = 0; attempt < 40 && res.status !== 429; attempt++) {
        res = await call(op.method, op.path, { ip, body: { username: `${world.users.client.username}_${attempt}`, password: "wrong-password" } });
      }
      expect(res.status).toBe(429);
      expect(res.body.code).toBe("rate_limited");
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
      const other = await call(op.method, op.path, { ip: uniqueIp(), body: { username: `fresh_${Date.now()}`, password: "wrong-password" } });
      expect(other.status).not.toBe(429);
    });
  }

  it("covered lists, body routes and rate-limited routes", (context) => {
    expect(lists.length).toBeGreaterThan(5);
    expect(limited.map((op) => op.operationId).sort()).toEqual(["auth_login", "auth_register", "orders_create", "orders_messages_create"]);
    reportCounts(context, { paginated_routes: lists.length, body_routes: bodyOps.length, rate_limited_routes: limited.length });
  });
});
