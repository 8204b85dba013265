import { describe, expect, it } from "vitest";
import { REFRESH_GRACE_MS } from "../../src/modules/accounts/auth.service";
import { ageRotation, createUser, PASSWORD } from "../helpers/factories";
import { call, uniqueIp } from "../helpers/http";

async function session() {
  const user = await createUser();
  const res = await call("POST", "/api/auth/login/", { body: { username: user.username, password: PASSWORD }, ip: uniqueIp() });
  return { user, access: res.body.access as string, refresh: res.body.refresh as string };
}
const refresh = (token: string) => call("POST", "/api/auth/refresh/", { body: { refresh: token } });

describe("the refresh grace period", () => {
  it("lets two tabs refresh the same token at the same moment: both get a pair that works", async () => {
    const s = await session();
    const [a, b] = await Promise.all([refresh(s.refresh), refresh(s.refresh)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refresh).not.toBe(b.body.refresh);
    for (const pair of [a.body, b.body]) {
      expect((await call("GET", `/api/users/${s.user.id}/`, { token: pair.access })).status).toBe(200);
      expect((await refresh(pair.refresh)).status).toBe(200);
    }
  });

  it("allows one repeat only: a third presentation within the grace revokes the family", async () => {
    const s = await session();
    const first = await refresh(s.refresh);
    const repeat = await refresh(s.refresh);
    expect(repeat.status).toBe(200);
    expect((await refresh(s.refresh)).status).toBe(401);
    for (const issued of [first.body.refresh, repeat.body.refresh]) expect((await refresh(issued)).status).toBe(401);
  });

  it("ends with the grace period: a repeat after it is reuse, 401, and the family is revoked", async () => {
    const s = await session();
    const first = await refresh(s.refresh);
    await ageRotation(s.refresh, REFRESH_GRACE_MS + 1000);
    expect((await refresh(s.refresh)).status).toBe(401);
    expect((await refresh(first.body.refresh)).status).toBe(401);
  });

  it("does not outlive a logout of the family", async () => {
    const s = await session();
    const first = await refresh(s.refresh);
    expect((await call("POST", "/api/auth/logout/", { token: first.body.access, body: { refresh: first.body.refresh } })).status).toBe(204);
    expect((await refresh(s.refresh)).status).toBe(401);
  });

  it("does not let a successor's rotation be undone by repeating the older token", async () => {
    const s = await session();
    const first = await refresh(s.refresh);
    const second = await refresh(first.body.refresh);
    expect(second.status).toBe(200);
    expect((await refresh(s.refresh)).status).toBe(401);
    expect((await refresh(second.body.refresh)).status).toBe(401);
  });
});
