import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { call, BASE } from "./helpers/http";
import { createUser } from "./helpers/factories";

/** A D1 binding whose every statement fails with `message`: fault injection at the platform edge. */
function failingD1(message: string): D1Database {
  const fail = () => Promise.reject(new Error(message));
  const statement = { bind: () => statement, all: fail, run: fail, raw: fail, first: fail };
  const session = { prepare: () => statement, batch: fail, getBookmark: () => null };
  return { ...session, exec: fail, withSession: () => session } as unknown as D1Database;
}

async function withDatabaseError(message: string, path: string, token?: string) {
  const app = createApp();
  const request = new Request(`${BASE}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const response = await app.fetch(request, { ...env, DB: failingD1(message) }, createExecutionContext());
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("CORS", () => {
  it("answers preflights from allowed origins and exposes the request id", async () => {
    const res = await call("OPTIONS", "/api/services/", {
      headers: { Origin: "http://localhost:8787", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Authorization" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:8787");
    expect(res.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
    const get = await call("GET", "/api/health/", { headers: { Origin: "http://localhost:8787" } });
    expect(get.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
  });

  it("gives other origins no CORS headers", async () => {
    const res = await call("GET", "/api/health/", { headers: { Origin: "https://evil.example" } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("failures", () => {
  it("health reports 503 when the database is down", async () => {
    const res = await withDatabaseError("D1_ERROR: Network connection lost.", "/api/health/");
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toEqual({ status: "degraded", checks: { database: "error", config: "ok" } });
  });

  it("a transient D1 error is a 503 with a retry hint", async () => {
    const admin = await createUser("admin");
    const res = await withDatabaseError("D1_ERROR: Network connection lost.", "/api/users/", admin.token);
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(JSON.parse(res.text).code).toBe("service_unavailable");
  });

  it("an unexpected error is a generic 500 with a request id and no SQL or stack", async () => {
    const admin = await createUser("admin");
    const res = await withDatabaseError("D1_ERROR: no such column: secret_column at offset 12: SQLITE_ERROR", "/api/users/", admin.token);
    expect(res.status).toBe(500);
    const body = JSON.parse(res.text);
    expect(body).toEqual({ detail: "A server error occurred.", code: "server_error", request_id: res.headers.get("X-Request-Id") });
    expect(res.text).not.toMatch(/secret_column|SQLITE|at offset|\.ts:/);
  });
});

describe("methods", () => {
  it("answers a wrong method on a known path with 405 and the path's methods in Allow", async () => {
    const put = await call("PUT", "/api/orders/1/");
    expect(put.status).toBe(405);
    expect(put.body).toEqual({ detail: 'Method "PUT" not allowed.', code: "method_not_allowed" });
    expect(put.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
    const list = await call("DELETE", "/api/orders/");
    expect(list.status).toBe(405);
    expect(list.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
    // Without its trailing slash the path is the same path.
    expect((await call("PATCH", "/api/auth/login")).headers.get("Allow")).toBe("OPTIONS, POST");
  });

  it("answers a plain OPTIONS on a known path with 204 and Allow, and unknown paths with 404", async () => {
    const options = await call("OPTIONS", "/api/services/1/");
    expect(options.status).toBe(204);
    expect(options.headers.get("Allow")).toBe("DELETE, GET, HEAD, OPTIONS, PATCH, PUT");
    expect((await call("PUT", "/api/nope/")).status).toBe(404);
    expect((await call("OPTIONS", "/api/nope/")).status).toBe(404);
  });
});
