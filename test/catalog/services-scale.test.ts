import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { COUNT_CAP, pageRequest } from "../../src/lib/pagination";
import type { ServicesQuery } from "../../src/modules/catalog/catalog.schemas";
import { fillPlaceholders } from "drizzle-orm";
import { servicePageQuery, servicePageValues } from "../../src/modules/catalog/services.service";
import { call } from "../helpers/http";
import { createCategory, createUser, db } from "../helpers/factories";

const TOTAL = 10_000;
const CHUNK = 2_500;
let categoryIds: number[] = [];

/**
 * 2,500 services per statement, generated in SQL (no bound parameters, so far below D1's limit);
 * every tenth one inactive. Only integers from this file are interpolated.
 */
const seedChunk = (categoryId: number, workerId: number, offset: number) =>
  env.DB.prepare(
    `WITH RECURSIVE seq(n) AS (SELECT ${offset + 1} UNION ALL SELECT n + 1 FROM seq WHERE n < ${offset + CHUNK})
     INSERT INTO services (name, description, category_id, worker_id, base_price_cents, duration_hours, is_active, created_at, updated_at)
     SELECT 'Bulk service ' || n, 'Seeded for the scale test', ${categoryId}, ${workerId}, 100 + (n * 37) % 90000, 1,
            n % 10 != 0, ${Date.UTC(2026, 0, 1)} + n, ${Date.UTC(2026, 0, 1)} + n FROM seq`,
  );

beforeAll(async () => {
  const worker = await createUser("worker");
  categoryIds = (await Promise.all(Array.from({ length: TOTAL / CHUNK }, () => createCategory()))).map((c) => c.id);
  await env.DB.batch(categoryIds.map((id, i) => seedChunk(id, worker.id, i * CHUNK)));
});

async function plan(query: ServicesQuery): Promise<string[]> {
  const { sql, params } = servicePageQuery(db(), null, query).toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...fillPlaceholders(params, servicePageValues(query, pageRequest({}))))
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

/** A full scan of services that no index serves, or a sort of the whole match set. */
const unindexed = (details: string[]) =>
  details.filter((d) => /^SCAN services$/.test(d) || /TEMP B-TREE FOR ORDER BY/.test(d));

describe("service list at 10,000 services", () => {
  it("serves any page in one D1 round trip", async () => {
    const res = await call("GET", "/api/services/?page_size=100");
    expect(res.status).toBe(200);
    expect(res.headers.get("X-DB-Queries")).toBe("1");
    // 9,000 active services: more than the count cap
    expect(res.body.count).toBe(COUNT_CAP);
    expect(res.body.results).toHaveLength(100);
    expect(res.body.results[0]).toMatchObject({ name: `Bulk service ${TOTAL - 1}`, category: { id: categoryIds[3] } });

    const filtered = await call("GET", `/api/services/?category=${categoryIds[1]}&ordering=price&page=5&page_size=50`);
    expect(filtered.status).toBe(200);
    expect(filtered.headers.get("X-DB-Queries")).toBe("1");
    expect(filtered.body.count).toBe(COUNT_CAP);
    const prices = filtered.body.results.map((s: { base_price: string }) => Number(s.base_price));
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it("past the count cap, every page is reachable through next, and the page after the last row is a 404", async () => {
    const category = categoryIds[2];
    // 2,250 active services in this category at 100 a page: pages 1–23, the last one with 50
    const last = await call("GET", `/api/services/?category=${category}&page_size=100&page=23`);
    expect(last.status).toBe(200);
    expect(last.body.count).toBe(COUNT_CAP);
    expect(last.body.results).toHaveLength(50);
    expect(last.body.next).toBeNull();
    expect(last.body.previous).toBe(`http://127.0.0.1:8787/api/services/?category=${category}&page=22&page_size=100`);
    const full = await call("GET", `/api/services/?category=${category}&page=22&page_size=100`);
    expect(full.body.next).toBe(`http://127.0.0.1:8787/api/services/?category=${category}&page=23&page_size=100`);
    const past = await call("GET", `/api/services/?category=${category}&page_size=100&page=24`);
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ detail: "Invalid page.", code: "not_found" });
  });

  it("counts exactly up to the cap, a search as well", async () => {
    const few = await call("GET", `/api/services/?category=${categoryIds[0]}&max_price=20.00`);
    expect(few.status).toBe(200);
    const exact = (
      await env.DB.prepare("SELECT count(*) AS n FROM services WHERE category_id = ? AND is_active = 1 AND base_price_cents <= 2000")
        .bind(categoryIds[0])
        .first<{ n: number }>()
    )?.n;
    expect(exact).toBeGreaterThan(0);
    expect(exact).toBeLessThan(COUNT_CAP);
    expect(few.body.count).toBe(exact);

    const search = await call("GET", "/api/services/?search=Bulk%20service%20999");
    // "999"* matches 999 and 9990–9999 (the active ones: 9990 is inactive)
    expect(search.body.count).toBe(10);
    expect(search.body.results.map((s: { name: string }) => s.name)).toContain("Bulk service 999");
    expect((await call("GET", "/api/services/?search=Bulk")).body.count).toBe(COUNT_CAP);
  });

  it("uses indexes for the default listing and its ordering", async () => {
    const details = await plan({});
    expect(details.some((d) => /services USING INDEX services_active_created_idx/.test(d))).toBe(true);
    expect(unindexed(details)).toEqual([]);
  });

  it("a price filter on the default ordering walks the created_at index instead of sorting every match in range", async () => {
    const details = await plan({ max_price: 500_000 });
    expect(details.some((d) => /^SEARCH services USING INDEX services_active_created_idx/.test(d))).toBe(true);
    expect(unindexed(details)).toEqual([]);
    const inCategory = await plan({ category: categoryIds[0], min_price: 10_000 });
    expect(inCategory.some((d) => /^SEARCH services USING INDEX services_category_idx/.test(d))).toBe(true);
    expect(unindexed(inCategory)).toEqual([]);
    const res = await call("GET", "/api/services/?max_price=300.00&page_size=5");
    expect(res.body.results).toHaveLength(5);
    for (const s of res.body.results) expect(Number(s.base_price)).toBeLessThanOrEqual(300);
  });

  it("uses indexes for price ordering and a category filter with ordering", async () => {
    const byPrice = await plan({ ordering: "-price" });
    expect(byPrice.some((d) => /USING INDEX services_active_price_idx/.test(d))).toBe(true);
    expect(unindexed(byPrice)).toEqual([]);

    const byCategory = await plan({ category: categoryIds[0], ordering: "-created_at" });
    expect(byCategory.some((d) => /USING INDEX services_category_idx/.test(d))).toBe(true);
    expect(unindexed(byCategory)).toEqual([]);

    const categoryByPrice = await plan({ category: categoryIds[0], ordering: "price" });
    expect(categoryByPrice.some((d) => /USING INDEX services_category_price_idx/.test(d))).toBe(true);
    expect(unindexed(categoryByPrice)).toEqual([]);
  });
});
