import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createCategory, createService, createUser, unique } from "../helpers/factories";

const ids = (res: { body: { results?: { id: number }[] } }) => (res.body.results ?? []).map((s) => s.id);
const list = (query: string, token?: string) => call("GET", `/api/services/?page_size=100&${query}`, { token });

/** Three services of one worker in a fresh category, created oldest first. */
async function seedCategory() {
  const category = await createCategory();
  const worker = await createUser("worker");
  const at = (n: number) => new Date(Date.UTC(2026, 0, n));
  const cheap = await createService({ worker, categoryId: category.id, priceCents: 1000, createdAt: at(1) });
  const pricey = await createService({ worker, categoryId: category.id, priceCents: 90000, createdAt: at(2) });
  const middle = await createService({ worker, categoryId: category.id, priceCents: 25050, createdAt: at(3) });
  return { category, worker, cheap, pricey, middle };
}

describe("GET /api/services/", () => {
  it("returns the page envelope with nested category and owner in one round trip", async () => {
    const { category, middle } = await seedCategory();
    const res = await list(`category=${category.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-DB-Queries")).toBe("1");
    expect(Object.keys(res.body).sort()).toEqual(["count", "next", "previous", "results"]);
    expect(res.body.count).toBe(3);
    expect(res.body.results[0]).toMatchObject({
      id: middle.id,
      base_price: "250.50",
      category: { id: category.id, name: category.name },
      worker: { id: middle.owner.id, username: middle.owner.username },
    });
  });

  it("orders by -created_at by default, and by price or created_at on request", async () => {
    const { category, cheap, pricey, middle } = await seedCategory();
    expect(ids(await list(`category=${category.id}`))).toEqual([middle.id, pricey.id, cheap.id]);
    expect(ids(await list(`category=${category.id}&ordering=created_at`))).toEqual([cheap.id, pricey.id, middle.id]);
    expect(ids(await list(`category=${category.id}&ordering=price`))).toEqual([cheap.id, middle.id, pricey.id]);
    expect(ids(await list(`category=${category.id}&ordering=-price`))).toEqual([pricey.id, middle.id, cheap.id]);
  });

  it("filters by worker and price range (inclusive, money-validated)", async () => {
    const { category, worker, cheap, middle } = await seedCategory();
    await createService({ categoryId: category.id, priceCents: 1000 });
    expect(ids(await list(`worker=${worker.id}&max_price=250.50&ordering=price`))).toEqual([cheap.id, middle.id]);
    expect(ids(await list(`category=${category.id}&min_price=100&max_price=300`))).toEqual([middle.id]);
    expect(ids(await list(`category=${category.id}&min_price=900`))).toHaveLength(1);
    expect((await list(`category=${category.id}&min_price=1000&max_price=5`)).body.count).toBe(0);
  });

  it("paginates with absolute links and 404s past the end", async () => {
    const { category, cheap, pricey, middle } = await seedCategory();
    const first = await call("GET", `/api/services/?category=${category.id}&page_size=2`);
    expect(ids(first)).toEqual([middle.id, pricey.id]);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toBe(`http://127.0.0.1:8787/api/services/?category=${category.id}&page_size=2&page=2`);
    const next = new URL(first.body.next ?? "");
    const second = await call("GET", `/api/services/?${next.searchParams}`);
    expect(ids(second)).toEqual([cheap.id]);
    expect(second.body.next).toBeNull();
    const past = await call("GET", `/api/services/?category=${category.id}&page_size=2&page=3`);
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ detail: "Invalid page.", code: "not_found" });
  });

  it("hides inactive services except from admins and from their owner filtering by themselves", async () => {
    const category = await createCategory();
    const worker = await createUser("worker");
    const active = await createService({ worker, categoryId: category.id });
    const inactive = await createService({ worker, categoryId: category.id, isActive: false });
    const admin = await createUser("admin");
    const other = await createUser("worker");

    expect(ids(await list(`category=${category.id}`))).toEqual([active.id]);
    expect(ids(await list(`category=${category.id}`, other.token))).toEqual([active.id]);
    expect(ids(await list(`worker=${worker.id}`, other.token))).toEqual([active.id]);
    expect(ids(await list(`category=${category.id}`, worker.token))).toEqual([active.id]);
    expect(ids(await list(`worker=${worker.id}`, worker.token))).toEqual([inactive.id, active.id]);
    expect(ids(await list(`category=${category.id}`, admin.token))).toEqual([inactive.id, active.id]);
  });

  it("searches name and description by words and word prefixes", async () => {
    const word = unique("zebrapipe").replace(/_/g, "");
    const category = await createCategory();
    const byName = await createService({ categoryId: category.id, name: `Fix ${word} leaks` });
    const byDescription = await createService({ categoryId: category.id, description: `We handle ${word} and drains` });
    await createService({ categoryId: category.id, name: "Unrelated", description: "Nothing here" });
    const inactive = await createService({ categoryId: category.id, name: word, isActive: false });

    expect(ids(await list(`search=${word}`)).sort()).toEqual([byName.id, byDescription.id].sort());
    expect(ids(await list(`search=${word.slice(0, -3).toUpperCase()}`)).sort()).toEqual([byName.id, byDescription.id].sort());
    expect(ids(await list(`search=${encodeURIComponent(`${word} drains`)}`))).toEqual([byDescription.id]);
    expect(ids(await list(`search=${word}&category=${category.id}&ordering=price`))).not.toContain(inactive.id);
    expect((await list("search=")).status).toBe(200);
  });

  it("treats FTS syntax in search input as plain text, never a 500", async () => {
    const word = unique("quokka").replace(/_/g, "");
    const service = await createService({ name: `${word} AND NEAR service` });
    for (const search of ['"', "*", "AND", "NEAR(", `${word} OR`, `"${word}`, "a:b", "^x", "(", "-", "NOT x", "''", "\\"]) {
      const res = await list(`search=${encodeURIComponent(search)}`);
      expect(res.status, search).toBe(200);
    }
    expect(ids(await list(`search=${encodeURIComponent(`${word} AND`)}`))).toEqual([service.id]);
    expect(ids(await list(`search=${encodeURIComponent(`NEAR( "${word}"`)}`))).toEqual([service.id]);
    expect((await list(`search=${encodeURIComponent("* ( \"")}`)).body.count).toBe(0);
  });

  it("treats control characters in search input as word breaks, never a 500", async () => {
    const word = unique("wombat").replace(/_/g, "");
    const service = await createService({ name: `${word} service` });
    for (const control of ["\u0000", "\u0001", "\u001f", "\u007f", "\u0085", "\u009f"]) {
      const res = await list(`search=${encodeURIComponent(`${word}${control}`)}`);
      expect(res.status, JSON.stringify(control)).toBe(200);
      expect(ids(res), JSON.stringify(control)).toEqual([service.id]);
      expect((await list(`search=${encodeURIComponent(control)}`)).body.count).toBe(0);
    }
  });

  it("rejects bad query parameters with 400 naming the parameter", async () => {
    const cases: [string, string][] = [
      ["ordering=name", "ordering"],
      ["ordering=-base_price_cents", "ordering"],
      ["category=abc", "category"],
      ["worker=1.5", "worker"],
      ["category=0", "category"],
      ["min_price=abc", "min_price"],
      ["max_price=-1", "max_price"],
      ["min_price=1.234", "min_price"],
      ["page=0", "page"],
      ["page=-1", "page"],
      ["page_size=101", "page_size"],
      [`search=${"x".repeat(201)}`, "search"],
    ];
    for (const [query, field] of cases) {
      const res = await call("GET", `/api/services/?${query}`);
      expect(res.status, query).toBe(400);
      expect(Object.keys(res.body), query).toEqual([field]);
    }
  });
});
