import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users, workerProfiles } from "../../drizzle/schema";
import { call, uniqueIp } from "../helpers/http";
import { createUser, db, PASSWORD } from "../helpers/factories";
import { PBKDF2_ITERATIONS, hashPassword, verifyPassword } from "../../src/lib/passwords";

describe("passwords", () => {
  it("uses exactly 100,000 PBKDF2 iterations (the production Workers cap) and stores them with the hash", async () => {
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    const hash = await hashPassword("a-password-1");
    expect(hash).toMatch(/^pbkdf2_sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword("a-password-1", hash)).toBe(true);
    expect(await verifyPassword("a-password-2", hash)).toBe(false);
    expect(hash).not.toBe(await hashPassword("a-password-1"));
  });
});

describe("GET /api/users/", () => {
  it("lists users for admins with the four-key envelope and a role filter", async () => {
    const admin = await createUser("admin");
    await createUser("worker");
    const res = await call("GET", "/api/users/?role=worker&page_size=1", { token: admin.token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["count", "next", "previous", "results"]);
    expect(res.body.results).toHaveLength(1);
    expect(res.body.results.every((u: { role: string }) => u.role === "worker")).toBe(true);
    if (res.body.count > 1) expect(res.body.next).toBe("http://127.0.0.1:8787/api/users/?role=worker&page_size=1&page=2");
    expect(res.headers.get("X-DB-Queries")).toBe("2"); // +1: the caller's account check
  });

  it("answers pages past the end with 404 Invalid page and bad paging with 400", async () => {
    const admin = await createUser("admin");
    const past = await call("GET", "/api/users/?page=9999", { token: admin.token });
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ detail: "Invalid page.", code: "not_found" });
    for (const query of ["page=0", "page=-1", "page=abc", "page_size=101", "page_size=0", "role=boss"]) {
      expect((await call("GET", `/api/users/?${query}`, { token: admin.token })).status).toBe(400);
    }
  });

  it("is admin only", async () => {
    expect((await call("GET", "/api/users/")).status).toBe(401);
    const client = await createUser();
    const res = await call("GET", "/api/users/", { token: client.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("permission_denied");
  });
});

describe("GET/PATCH /api/users/{id}/", () => {
  it("shows self, hides others as 404, admins see all", async () => {
    const me = await createUser();
    const other = await createUser();
    const admin = await createUser("admin");
    expect((await call("GET", `/api/users/${me.id}/`, { token: me.token })).body.id).toBe(me.id);
    const hidden = await call("GET", `/api/users/${other.id}/`, { token: me.token });
    expect(hidden.status).toBe(404);
    expect((await call("GET", `/api/users/${other.id}/`, { token: admin.token })).status).toBe(200);
    expect((await call("GET", "/api/users/abc/", { token: me.token })).status).toBe(400);
  });

  it("updates own profile fields", async () => {
    const me = await createUser();
    const res = await call("PATCH", `/api/users/${me.id}/`, { token: me.token, body: { first_name: "Ann", phone: "+1 555 0100" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ first_name: "Ann", phone: "+1 555 0100", role: "client" });
  });

  it("cannot escalate role or verify oneself; admins can", async () => {
    const me = await createUser();
    for (const body of [{ role: "admin" }, { is_verified: true }]) {
      const res = await call("PATCH", `/api/users/${me.id}/`, { token: me.token, body });
      expect(res.status).toBe(403);
    }
    const row = await db().query.users.findFirst({ where: eq(users.id, me.id) });
    expect(row).toMatchObject({ role: "client", isVerified: false });
    const admin = await createUser("admin");
    const res = await call("PUT", `/api/users/${me.id}/`, { token: admin.token, body: { role: "worker", is_verified: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: "worker", is_verified: true });
    expect(await db().query.workerProfiles.findFirst({ where: eq(workerProfiles.userId, me.id) })).toBeDefined();
  });

  it("keeps an admin from demoting or deactivating themselves: 403 permission_denied, nothing changed", async () => {
    const admin = await createUser("admin");
    for (const body of [{ role: "client" }, { is_active: false }]) {
      const res = await call("PATCH", `/api/users/${admin.id}/`, { token: admin.token, body });
      expect([res.status, res.body.code]).toEqual([403, "permission_denied"]);
    }
    expect(await db().query.users.findFirst({ where: eq(users.id, admin.id) })).toMatchObject({ role: "admin", isActive: true });
  });

  it("cannot edit another user", async () => {
    const me = await createUser();
    const other = await createUser();
    const res = await call("PATCH", `/api/users/${other.id}/`, { token: me.token, body: { first_name: "Hacked" } });
    expect(res.status).toBe(404);
  });

  it("changes the password only with the current one, and ends old sessions", async () => {
    const me = await createUser();
    const login = await call("POST", "/api/auth/login/", { body: { username: me.username, password: PASSWORD }, ip: uniqueIp() });
    const missing = await call("PATCH", `/api/users/${me.id}/`, { token: me.token, body: { password: "new-password-9" } });
    expect(missing.status).toBe(400);
    expect(missing.body.current_password).toBeDefined();
    const wrong = await call("PATCH", `/api/users/${me.id}/`, {
      token: me.token,
      body: { password: "new-password-9", current_password: "nope" },
    });
    expect(wrong.status).toBe(400);
    const ok = await call("PATCH", `/api/users/${me.id}/`, {
      token: me.token,
      body: { password: "new-password-9", current_password: PASSWORD },
    });
    expect(ok.status).toBe(200);
    expect((await call("POST", "/api/auth/refresh/", { body: { refresh: login.body.refresh } })).status).toBe(401);
    const relogin = await call("POST", "/api/auth/login/", { body: { username: me.username, password: "new-password-9" }, ip: uniqueIp() });
    expect(relogin.status).toBe(200);
  });

  it("authenticates before validating the body", async () => {
    const me = await createUser();
    expect((await call("PATCH", `/api/users/${me.id}/`, { body: { email: 42 } })).status).toBe(401);
  });
});
