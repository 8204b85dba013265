import { describe, expect, it } from "vitest";
import { EDGE_TTL_SECONDS } from "../../src/lib/edge-cache";
import { call, uniqueIp } from "../helpers/http";
import { createCategory, createService, createUser, unique } from "../helpers/factories";

/** A service list URL no other test reads (search is full text over the unique name). */
const searchUrl = (name: string) => `/api/services/?search=${encodeURIComponent(name)}` as const;

describe("anonymous catalog reads at the edge", () => {
  it.each([
    ["service detail", async () => `/api/services/${(await createService()).id}/`],
    ["service search", async () => searchUrl((await createService()).name)],
    [
      "category list",
      async () => {
        await createCategory();
        return "/api/services/categories/?page_size=7";
      },
    ],
    ["worker directory", async () => `/api/workers/?min_rating=0&available=true&page_size=13`],
    ["worker profile", async () => `/api/workers/${(await createUser("worker")).profileId}/`],
  ])("%s: a miss reads D1 and fills the cache, the repeat is a hit with no D1 round trip", async (_name, makeUrl) => {
    const url = await makeUrl();
    const miss = await call("GET", url);
    expect(miss.status).toBe(200);
    expect(miss.headers.get("X-Cache")).toBe("MISS");
    expect(Number(miss.headers.get("X-DB-Queries"))).toBeGreaterThan(0);
    expect(miss.headers.get("Cache-Control")).toBe(`public, max-age=${EDGE_TTL_SECONDS}, stale-while-revalidate=${EDGE_TTL_SECONDS}`);
    expect(miss.headers.get("Vary")).toContain("Authorization");
    expect(miss.headers.get("ETag")).toMatch(/^"[0-9a-f]{32}"$/);

    const hit = await call("GET", url);
    expect(hit.status).toBe(200);
    expect(hit.headers.get("X-Cache")).toBe("HIT");
    expect(hit.headers.get("X-DB-Queries")).toBe("0");
    expect(hit.body).toEqual(miss.body);
    expect(hit.headers.get("ETag")).toBe(miss.headers.get("ETag"));
    expect(hit.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(hit.headers.get("Cache-Control")).toBe(miss.headers.get("Cache-Control"));
    expect(hit.headers.get("X-Request-Id")).not.toBe(miss.headers.get("X-Request-Id"));
  });

  it("answers a matching If-None-Match with 304 and no body, from the cache and from D1 alike", async () => {
    const url = `/api/services/${(await createService()).id}/`;
    const first = await call("GET", url);
    const etag = first.headers.get("ETag")!;
    const cached = await call("GET", url, { headers: { "If-None-Match": etag } });
    expect(cached.status).toBe(304);
    expect(cached.body).toBeNull();
    expect(cached.headers.get("ETag")).toBe(etag);
    expect(cached.headers.get("X-DB-Queries")).toBe("0");
    expect(cached.headers.get("Cache-Control")).toContain("public");

    const owner = await createUser("worker");
    const own = `/api/services/${(await createService({ worker: owner })).id}/`;
    const fresh = await call("GET", own, { token: owner.token });
    const revalidated = await call("GET", own, { token: owner.token, headers: { "If-None-Match": `W/"nope", ${fresh.headers.get("ETag")}` } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("answers a stale or unrelated If-None-Match with the full body", async () => {
    const url = `/api/services/${(await createService()).id}/`;
    const res = await call("GET", url, { headers: { "If-None-Match": '"0123456789abcdef0123456789abcdef"' } });
    expect(res.status).toBe(200);
    expect(res.body.id).toBeGreaterThan(0);
  });

  it("never serves a cached body to an authenticated request: an owner sees their inactive service", async () => {
    const owner = await createUser("worker");
    const hidden = await createService({ worker: owner, isActive: false });
    const url = `/api/services/?worker=${owner.id}` as const;
    const anonymous = await call("GET", url);
    expect(anonymous.body.count).toBe(0);
    expect((await call("GET", url)).headers.get("X-Cache")).toBe("HIT");

    const asOwner = await call("GET", url, { token: owner.token });
    expect(asOwner.headers.get("X-Cache")).toBe("BYPASS");
    expect(asOwner.headers.get("Cache-Control")).toBe("private, no-store");
    expect(asOwner.body.results.map((s: { id: number }) => s.id)).toEqual([hidden.id]);
    // and the owner's answer did not land in the shared cache
    expect((await call("GET", url)).body.count).toBe(0);

    const detail = `/api/services/${hidden.id}/`;
    expect((await call("GET", detail)).status).toBe(404);
    expect((await call("GET", detail, { token: owner.token })).status).toBe(200);
    expect((await call("GET", detail)).status).toBe(404);
  });

  it("does not cache errors", async () => {
    const url = "/api/services/999999999/";
    const first = await call("GET", url);
    expect(first.status).toBe(404);
    expect(first.headers.get("Cache-Control")).toBeNull();
    expect(Number((await call("GET", url)).headers.get("X-DB-Queries"))).toBeGreaterThan(0);
    expect((await call("GET", "/api/services/?min_price=abc")).status).toBe(400);
  });

  it("gives a cached answer the CORS headers of the origin asking now, not of the one that filled it", async () => {
    const url = searchUrl((await createService()).name);
    const filled = await call("GET", url, { headers: { Origin: "http://localhost:8787" } });
    expect(filled.headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:8787");
    const other = await call("GET", url, { headers: { Origin: "http://localhost:5173" } });
    expect(other.headers.get("X-Cache")).toBe("HIT");
    expect(other.headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:5173");
    const evil = await call("GET", url, { headers: { Origin: "https://evil.example" } });
    expect(evil.headers.get("X-Cache")).toBe("HIT");
    expect(evil.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("edge cache keys: the validated query parameters only", () => {
  it("ignores unknown parameters and parameter order: one entry, and the answer's links carry only known parameters", async () => {
    const category = await createCategory();
    for (let i = 0; i < 3; i++) await createService({ categoryId: category.id });
    const miss = await call("GET", `/api/services/?page_size=2&category=${category.id}&nocache=1`);
    expect(miss.headers.get("X-Cache")).toBe("MISS");
    expect(miss.body.next).toBe(`http://127.0.0.1:8787/api/services/?category=${category.id}&page_size=2&page=2`);
    for (const url of [`/api/services/?category=${category.id}&page_size=2&nocache=2`, `/api/services/?utm_source=x&page_size=2&category=${category.id}`]) {
      const hit = await call("GET", url);
      expect(hit.headers.get("X-Cache"), url).toBe("HIT");
      expect(hit.headers.get("X-DB-Queries"), url).toBe("0");
      expect(hit.body, url).toEqual(miss.body);
    }
    const detail = `/api/services/${(await createService()).id}/`;
    expect((await call("GET", `${detail}?a=1`)).headers.get("X-Cache")).toBe("MISS");
    expect((await call("GET", `${detail}?b=2`)).headers.get("X-Cache")).toBe("HIT");
  });

  it("a different value of a known parameter is a different entry", async () => {
    const category = await createCategory();
    const service = await createService({ categoryId: category.id });
    const url = `/api/services/?category=${category.id}` as const;
    await call("GET", url);
    const page = await call("GET", `${url}&page_size=1`);
    expect(page.headers.get("X-Cache")).toBe("MISS");
    const none = await call("GET", `${url}&max_price=0.01`);
    expect(none.headers.get("X-Cache")).toBe("MISS");
    expect(none.body.count).toBe(0);
    const all = await call("GET", url);
    expect(all.body.results.map((s) => s.id)).toEqual([service.id]);
  });

  it("an invalid or repeated known parameter is never cached and gets the route's 400", async () => {
    for (const url of ["/api/services/?page_size=0", "/api/services/?page=1&page=2", "/api/workers/?available=maybe"]) {
      const first = await call("GET", url);
      expect(first.status, url).toBe(400);
      expect(first.headers.get("X-Cache"), url).toBeNull();
      expect((await call("GET", url)).status, url).toBe(400);
    }
  });
});

describe("catalog writes invalidate cached reads", () => {
  it("an owner's service update shows in the next anonymous detail, list and search read", async () => {
    const owner = await createUser("worker");
    const service = await createService({ worker: owner });
    const urls = [`/api/services/${service.id}/`, `/api/services/?worker=${owner.id}`, searchUrl(service.name)] as const;
    for (const url of urls) {
      await call("GET", url);
      expect((await call("GET", url)).headers.get("X-Cache")).toBe("HIT");
    }
    const patch = await call("PATCH", `/api/services/${service.id}/`, { token: owner.token, body: { base_price: "77.50" } });
    expect(patch.status).toBe(200);

    const detail = await call("GET", urls[0]);
    expect(detail.headers.get("X-Cache")).toBe("MISS");
    expect(detail.body.base_price).toBe("77.50");
    expect((await call("GET", urls[1])).body.results[0].base_price).toBe("77.50");
    expect((await call("GET", urls[2])).body.results[0].base_price).toBe("77.50");
  });

  it("a deactivated service disappears from the next anonymous read", async () => {
    const owner = await createUser("worker");
    const service = await createService({ worker: owner });
    const url = `/api/services/${service.id}/`;
    expect((await call("GET", url)).status).toBe(200);
    expect((await call("DELETE", url, { token: owner.token })).status).toBe(204);
    expect((await call("GET", url)).status).toBe(404);
  });

  it("an admin's category rename shows in the category list and in the services that embed it", async () => {
    const admin = await createUser("admin");
    const category = await createCategory();
    const service = await createService({ categoryId: category.id });
    const list = "/api/services/categories/?page_size=100";
    const detail = `/api/services/${service.id}/` as const;
    await call("GET", list);
    await call("GET", detail);
    const renamed = unique("Renamed");
    expect((await call("PATCH", `/api/services/categories/${category.id}/`, { token: admin.token, body: { name: renamed } })).status).toBe(200);

    const names = (await call("GET", list)).body.results.map((c: { name: string }) => c.name);
    expect(names).toContain(renamed);
    expect((await call("GET", detail)).body.category.name).toBe(renamed);
  });

  it("a worker's profile change and a new worker's registration show in the directory", async () => {
    const worker = await createUser("worker");
    const url = `/api/workers/${worker.profileId}/`;
    await call("GET", url);
    expect((await call("PATCH", "/api/workers/me/", { token: worker.token, body: { bio: "Now with a bio" } })).status).toBe(200);
    expect((await call("GET", url)).body.bio).toBe("Now with a bio");

    const directory = "/api/workers/?page_size=100&ordering=-rating";
    const before = (await call("GET", directory)).body.count;
    const username = unique("newworker");
    const register = await call("POST", "/api/auth/register/", {
      ip: uniqueIp(),
      body: { username, password: "a-Long-enough-pass-42", role: "worker" },
    });
    expect(register.status).toBe(201);
    expect((await call("GET", directory)).body.count).toBe(before + 1);
  });

  it("a refused write leaves the cache alone", async () => {
    const service = await createService();
    const stranger = await createUser("worker");
    const url = `/api/services/${service.id}/`;
    await call("GET", url);
    expect((await call("PATCH", url, { token: stranger.token, body: { name: "hijacked" } })).status).toBe(403);
    expect((await call("GET", url)).headers.get("X-Cache")).toBe("HIT");
  });
});
