import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "./helpers/http";

describe("API docs", () => {
  it("serves an OpenAPI 3.1 document with bearer security and error responses", async () => {
    const res = await call("GET", "/api/schema/");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const login = res.body.paths["/api/auth/login/"].post;
    expect(login.operationId).toBe("auth_login");
    expect(login.responses).toHaveProperty("400");
    const listUsers = res.body.paths["/api/users/"].get;
    expect(listUsers.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(listUsers.responses)).toEqual(expect.arrayContaining(["200", "401", "403"]));
  });

  it("documents every route with an operationId", async () => {
    const res = await call("GET", "/api/schema/");
    const operations = Object.values(res.body.paths).flatMap(
      (item) => Object.values(item),
    );
    expect(operations.length).toBeGreaterThan(10);
    for (const op of operations) expect(op.operationId).toMatch(/^[a-z_]+$/);
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("declares what the app-wide middleware adds: the bookmark header, 413/415 on bodies, Retry-After on 429, ETag on cached reads", async () => {
    const doc = (await call("GET", "/api/schema/")).body;
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));
    for (const op of operations) {
      expect(op.parameters, op.operationId).toContainEqual({ $ref: "#/components/parameters/D1Bookmark" });
      expect(op.responses, op.operationId).toHaveProperty("400");
      for (const response of Object.values(op.responses)) expect(response.headers).toHaveProperty("X-Request-Id");
      if (op.requestBody) expect(Object.keys(op.responses), op.operationId).toEqual(expect.arrayContaining(["413", "415"]));
      if (op.responses["429"]) expect(op.responses["429"].headers).toHaveProperty("Retry-After");
    }
    const cached = doc.paths["/api/services/"].get;
    expect(cached.parameters).toContainEqual({ $ref: "#/components/parameters/IfNoneMatch" });
    expect(cached.responses["200"].headers).toHaveProperty("ETag");
    expect(doc.tags.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining([...new Set(operations.flatMap((op) => op.tags))]));
  });

  it.each([
    ["/api/schema/swagger-ui/", "/vendor/swagger-ui-dist/swagger-ui-bundle.js"],
    ["/api/schema/redoc/", "/vendor/redoc/redoc.standalone.js"],
  ])("%s loads its scripts from the Worker's own assets, not a CDN", async (page, script) => {
    const res = await call("GET", page);
    expect(res.status).toBe(200);
    expect(res.body).toContain(script);
    expect(res.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const asset = await env.ASSETS.fetch(`http://assets.local${script}`);
    expect(asset.status).toBe(200);
    expect((await asset.text()).length).toBeGreaterThan(100_000);
  });
});
