import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createService, createUser } from "../helpers/factories";

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

describe("D1 session bookmarks", () => {
  it("come back on reads and writes that touched the database", async () => {
    const owner = await createUser("worker");
    const service = await createService({ worker: owner });
    const read = await call("GET", `/api/services/${service.id}/`, { token: owner.token });
    expect(read.headers.get("X-D1-Bookmark")).toMatch(BOOKMARK);
    const write = await call("PATCH", `/api/services/${service.id}/`, { token: owner.token, body: { duration_hours: 2 } });
    expect(write.status).toBe(200);
    expect(write.headers.get("X-D1-Bookmark")).toMatch(BOOKMARK);
    const failed = await call("GET", "/api/orders/999999999/", { token: owner.token });
    expect(failed.status).toBe(404);
    expect(failed.headers.get("X-D1-Bookmark")).toMatch(BOOKMARK);
  });

  it("are not sent when the answer needed no query (an edge cache hit)", async () => {
    const url = `/api/services/${(await createService()).id}/`;
    await call("GET", url);
    const hit = await call("GET", url);
    expect(hit.headers.get("X-Cache")).toBe("HIT");
    expect(hit.headers.get("X-D1-Bookmark")).toBeNull();
  });

  it("sent back after a write, give read-your-writes past the edge cache, with the usual round trips", async () => {
    const owner = await createUser("worker");
    const service = await createService({ worker: owner });
    const url = `/api/services/${service.id}/`;
    await call("GET", url);
    expect((await call("GET", url)).headers.get("X-Cache")).toBe("HIT");

    const write = await call("PATCH", url, { token: owner.token, body: { name: `${service.name} v2` } });
    const bookmark = write.headers.get("X-D1-Bookmark")!;
    const read = await call("GET", url, { headers: { "X-D1-Bookmark": bookmark } });
    expect(read.status).toBe(200);
    expect(read.headers.get("X-Cache")).toBe("BYPASS");
    expect(read.headers.get("Cache-Control")).toBe("private, no-cache");
    expect(read.headers.get("X-DB-Queries")).toBe("1");
    expect(read.body.name).toBe(`${service.name} v2`);
    expect(read.headers.get("X-D1-Bookmark")).toMatch(BOOKMARK);

    const list = await call("GET", `/api/services/?worker=${owner.id}`, { headers: { "X-D1-Bookmark": bookmark } });
    expect(list.headers.get("X-DB-Queries")).toBe("1");
    expect(list.body.results[0].name).toBe(`${service.name} v2`);
  });

  it("are accepted on writes (which start on the primary anyway)", async () => {
    const owner = await createUser("worker");
    const service = await createService({ worker: owner });
    const first = await call("PATCH", `/api/services/${service.id}/`, { token: owner.token, body: { duration_hours: 3 } });
    const second = await call("PATCH", `/api/services/${service.id}/`, {
      token: owner.token,
      body: { duration_hours: 4 },
      headers: { "X-D1-Bookmark": first.headers.get("X-D1-Bookmark")! },
    });
    expect(second.status).toBe(200);
    expect(second.body.duration_hours).toBe(4);
  });

  it.each([
    ["junk", "abc"],
    ["a constraint name", "first-primary"],
    ["non-hex digits", "0000000g-00000001-00000000-00000000000000000000000000000000"],
    ["a missing group", "00000000-00000001-00000000"],
    ["SQL", "'; DROP TABLE services; --"],
    ["something huge", "0".repeat(10_000)],
  ])("that are malformed (%s) are a 400 field error, never a 500", async (_name, bookmark) => {
    const owner = await createUser("worker");
    const service = await createService({ worker: owner });
    for (const [method, token] of [["GET", undefined], ["PATCH", owner.token]] as const) {
      const res = await call(method, `/api/services/${service.id}/`, { token, body: method === "PATCH" ? { duration_hours: 2 } : undefined, headers: { "X-D1-Bookmark": bookmark } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ "x-d1-bookmark": ["Not a valid D1 bookmark."] });
      expect(res.headers.get("X-Request-Id")).toBeTruthy();
    }
  });

  it("may be sent and read by browsers on the allow-list (CORS)", async () => {
    const preflight = await call("OPTIONS", "/api/services/", {
      headers: { Origin: "http://localhost:8787", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-D1-Bookmark" },
    });
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toContain("X-D1-Bookmark");
    const get = await call("GET", "/api/services/categories/", { headers: { Origin: "http://localhost:8787" } });
    expect(get.headers.get("Access-Control-Expose-Headers")).toContain("X-D1-Bookmark");
  });
});
