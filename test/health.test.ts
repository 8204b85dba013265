import { describe, expect, it } from "vitest";
import { call } from "./helpers/http";

describe("health and wire conventions", () => {
  it("reports the database as up", async () => {
    const res = await call("GET", "/api/health/");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", checks: { database: "ok", config: "ok" } });
    expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves paths without the trailing slash the same", async () => {
    const res = await call("GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
  });

  it("answers unknown paths with the contract's 404 body", async () => {
    const res = await call("GET", "/api/nope/");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Not found.", code: "not_found" });
  });
});
