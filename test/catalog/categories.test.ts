import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createCategory, createService, createUser, db, unique } from "../helpers/factories";

describe("GET /api/services/categories/", () => {
  it("is public and paginated, ordered by name", async () => {
    const prefix = unique("aaa");
    const second = await createCategory({ name: `${prefix}_b`, icon: "wrench" });
    const first = await createCategory({ name: `${prefix}_A` });
    const res = await call("GET", "/api/services/categories?page_size=100");
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["count", "next", "previous", "results"]);
    const ids = res.body.results.map((c: { id: number }) => c.id);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
    expect(res.body.results.find((c: { id: number }) => c.id === second.id)).toEqual({
      id: second.id,
      name: second.name,
      description: "",
      icon: "wrench",
    });

    const paged = await call("GET", "/api/services/categories/?page_size=1&page=2");
    expect(paged.status).toBe(200);
    expect(paged.body.results).toHaveLength(1);
    expect(paged.body.previous).toMatch(/^http.*\/api\/services\/categories\/\?page_size=1$/);
  });

  it("rejects bad pages", async () => {
    await createCategory();
    expect((await call("GET", "/api/services/categories/?page=0")).status).toBe(400);
    expect((await call("GET", "/api/services/categories/?page_size=101")).status).toBe(400);
    const past = await call("GET", "/api/services/categories/?page=100000");
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ detail: "Invalid page.", code: "not_found" });
  });
});

describe("category writes (admin)", () => {
  it("creates, updates with PUT and PATCH, and deletes an unused category", async () => {
    const admin = await createUser("admin");
    const name = unique("Plumbing");
    const created = await call("POST", "/api/services/categories/", {
      token: admin.token,
      body: { name, description: "Pipes", icon: "pipe" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), name, description: "Pipes", icon: "pipe" });
    const path = `/api/services/categories/${created.body.id}/`;

    const put = await call("PUT", path, { token: admin.token, body: { name: `${name}!`, description: "All pipes" } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: `${name}!`, description: "All pipes", icon: "pipe" });

    const patch = await call("PATCH", path, { token: admin.token, body: { icon: "drop" } });
    expect(patch.body).toMatchObject({ name: `${name}!`, icon: "drop" });
    expect((await call("PATCH", path, { token: admin.token, body: {} })).body.icon).toBe("drop");

    expect((await call("DELETE", path, { token: admin.token })).status).toBe(204);
    expect((await call("PATCH", path, { token: admin.token, body: { icon: "x" } })).status).toBe(404);
    expect((await call("DELETE", path, { token: admin.token })).status).toBe(404);
  });

  it("rejects duplicate names case-insensitively on create and update", async () => {
    const admin = await createUser("admin");
    const existing = await createCategory();
    const dup = await call("POST", "/api/services/categories/", { token: admin.token, body: { name: existing.name.toUpperCase() } });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ name: ["category with this name already exists."] });

    const other = await createCategory();
    const rename = await call("PATCH", `/api/services/categories/${other.id}/`, { token: admin.token, body: { name: existing.name } });
    expect(rename.status).toBe(400);
    expect(rename.body).toEqual({ name: ["category with this name already exists."] });
  });

  it("validates the body", async () => {
    const admin = await createUser("admin");
    const category = await createCategory();
    for (const body of [{}, { name: "" }, { name: "   " }, { name: "x".repeat(101) }, { name: 5 }]) {
      const res = await call("POST", "/api/services/categories/", { token: admin.token, body });
      expect(res.status).toBe(400);
      expect(res.body).toHaveProperty("name");
    }
    expect((await call("PUT", `/api/services/categories/${category.id}/`, { token: admin.token, body: { icon: "x" } })).status).toBe(400);
    expect((await call("POST", "/api/services/categories/", { token: admin.token, body: "{not json" })).status).toBe(400);
    const noBody = await call("POST", "/api/services/categories/", { token: admin.token });
    expect([400, 415]).toContain(noBody.status);
    expect((await call("PATCH", "/api/services/categories/abc/", { token: admin.token, body: {} })).status).toBe(400);
  });

  it("refuses to delete a category used by any service, active or not", async () => {
    const admin = await createUser("admin");
    const category = await createCategory();
    await createService({ categoryId: category.id, isActive: false });
    const res = await call("DELETE", `/api/services/categories/${category.id}/`, { token: admin.token });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("conflict");
    expect(await db().query.categories.findFirst({ where: (c, { eq }) => eq(c.id, category.id) })).toBeDefined();
  });

  it("is for admins only, checked before the body", async () => {
    const category = await createCategory();
    const worker = await createUser("worker");
    const client = await createUser("client");
    const path = `/api/services/categories/${category.id}/`;
    const noToken = await call("POST", "/api/services/categories/", { body: { name: unique("c") } });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect((await call("POST", "/api/services/categories/", { token: "garbage", body: {} })).status).toBe(401);
    for (const user of [worker, client]) {
      expect((await call("POST", "/api/services/categories/", { token: user.token, body: { name: 1 } })).status).toBe(403);
      expect((await call("PUT", path, { token: user.token, body: { name: unique("c") } })).status).toBe(403);
      expect((await call("PATCH", path, { token: user.token, body: {} })).status).toBe(403);
      expect((await call("DELETE", path, { token: user.token })).status).toBe(403);
    }
    expect((await call("DELETE", path)).status).toBe(401);
  });
});
