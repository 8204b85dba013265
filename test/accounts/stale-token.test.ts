import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../drizzle/schema";
import { createService, createUser, db, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { socketRequest } from "../helpers/realtime";

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();

/** Every protected route the issue names refuses the token with 401 not_authenticated. */
async function expectTokenRefused(user: TestUser) {
  const service = await createService();
  const orderBody = { service_id: service.id, description: "Fix the sink", address: "1 Main St", scheduled_date: tomorrow() };
  const responses = [
    await call("POST", "/api/orders/create/", { token: user.token, body: orderBody }),
    await call("GET", "/api/orders/", { token: user.token }),
    await call("GET", `/api/users/${user.id}/`, { token: user.token }),
  ];
  for (const res of responses) {
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("not_authenticated");
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
  }
  const socket = await socketRequest(`?token=${user.token}`);
  expect(socket.status).toBe(401);
  expect(socket.webSocket).toBeNull();
}

describe("a valid access token of a user who is gone or inactive", () => {
  it("is refused once the user row is deleted (was a 500 on order create)", async () => {
    const user = await createUser("client");
    expect((await call("GET", "/api/orders/", { token: user.token })).status).toBe(200);
    await db().delete(users).where(eq(users.id, user.id));
    await expectTokenRefused(user);
  });

  it("is refused once an admin deactivates the user", async () => {
    const user = await createUser("client");
    const admin = await createUser("admin");
    expect((await call("PATCH", `/api/users/${user.id}/`, { token: admin.token, body: { is_active: false } })).status).toBe(200);
    await expectTokenRefused(user);
  });

  it("is served as anonymous on a public route", async () => {
    const user = await createUser("client");
    await db().delete(users).where(eq(users.id, user.id));
    const res = await call("GET", "/api/services/", { token: user.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).not.toBe("private, no-store");
  });
});

describe("the role of an authenticated request", () => {
  it("is the one in the database, so a demotion applies to tokens already issued", async () => {
    const demoted = await createUser("admin");
    const admin = await createUser("admin");
    expect((await call("GET", "/api/users/", { token: demoted.token })).status).toBe(200);
    expect((await call("PATCH", `/api/users/${demoted.id}/`, { token: admin.token, body: { role: "client" } })).status).toBe(200);
    const res = await call("GET", "/api/users/", { token: demoted.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("permission_denied");
  });
});
