import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { pageRequest } from "../../src/lib/pagination";
import type { ServicesQuery } from "../../src/modules/catalog/catalog.schemas";
import { servicePageQuery } from "../../src/modules/catalog/services.service";
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
  const { sql, params } = servicePageQuery(db(), null, query, pageRequest({})).toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
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
    expect(res.body.count).toBe(TOTAL - TOTAL / 10);
    expect(res.body.results).toHaveLength(100);
    expect(res.body.results[0]).toMatchObject({ name: `Bulk service ${TOTAL - 1}`, category: { id: categoryIds[3] } });

    const filtered = await call("GET", `/api/services/?category=${categoryIds[1]}&ordering=price&page=5&page_size=50`);
    expect(filtered.status).toBe(200);
    expect(filtered.headers.get("X-DB-Queries")).toBe("1");
    expect(filtered.body.count).toBe(CHUNK - CHUNK / 10);
    const prices = filtered.body.results.map((s: { base_price: string }) => Number(s.base_price));
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it("uses indexes for the default listing and its ordering", async () => {
    const details = await plan({});
    expect(details.some((d) => /services USING INDEX services_active_created_idx/.test(d))).toBe(true);
    expect(unindexed(details)).toEqual([]);
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
