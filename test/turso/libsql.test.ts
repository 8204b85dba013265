import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app";
import { createUser } from "../helpers/factories";
import { BASE, call } from "../helpers/http";

describe("the Turso path", () => {
  it("serves an admin made by `createsuperuser --turso`", async () => {
    const admin = inject("tursoSuperuser")!;
    const login = await call("POST", "/api/auth/login/", { body: admin });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ username: admin.username, role: "admin", is_verified: true });
    const users = await call("GET", "/api/users/?role=admin", { token: login.body.access });
    expect(users.status).toBe(200);
  });

  it("answers 503 with a retry hint while the libSQL server is overloaded, and no server internals", async () => {
    const admin = await createUser("admin");
    const app = createApp();
    const outage = { ...env, TURSO_DATABASE_URL: inject("tursoOutageUrl")! };
    for (const path of ["/api/users/", "/api/services/"]) {
      const request = new Request(`${BASE}${path}`, { headers: { Authorization: `Bearer ${admin.token}` } });
      const response = await app.fetch(request, outage, createExecutionContext());
      expect(response.status).toBe(503);
      expect(response.headers.get("Retry-After")).toBe("1");
      const body = await response.json<Record<string, unknown>>();
      expect(body).toMatchObject({ code: "service_unavailable" });
      expect(JSON.stringify(body)).not.toMatch(/HTTP status|SERVER_ERROR|overloaded/);
    }
  });
});
