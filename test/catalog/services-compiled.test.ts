import { describe, expect, it } from "vitest";
import type { AuthUser } from "../../src/lib/auth-user";
import { SERVICE_ORDERINGS, type ServicesQuery } from "../../src/modules/catalog/catalog.schemas";
import { servicePageQuery, servicePageShape } from "../../src/modules/catalog/services.service";
import { db } from "../helpers/factories";

const owner: AuthUser = { id: 7, role: "worker" };
const callers: (AuthUser | null)[] = [null, { id: 3, role: "client" }, owner, { id: 1, role: "admin" }];
const searches = [undefined, "plumbing", "!!!"];

/** Every combination of the list's query: each filter present or not, each search kind, each ordering, each kind of caller. */
function* combinations(): Generator<[AuthUser | null, ServicesQuery]> {
  for (const caller of callers)
    for (let present = 0; present < 16; present++)
      for (const search of searches)
        for (const ordering of SERVICE_ORDERINGS) {
          const query: ServicesQuery = { search, ordering };
          if (present & 1) query.category = 2;
          if (present & 2) query.worker = present & 8 ? owner.id : 9;
          if (present & 4) query.min_price = 100;
          if (present & 8) query.max_price = 900;
          yield [caller, query];
        }
}

describe("the service list's compiled queries (one per shape, per isolate)", () => {
  it("a shape key always stands for the same SQL text, and different SQL never shares a key", () => {
    const sqlByShape = new Map<string, string>();
    const shapeBySql = new Map<string, string>();
    for (const [caller, query] of combinations()) {
      const shape = servicePageShape(caller, query);
      const text = servicePageQuery(db(), caller, query).toSQL().sql;
      expect(sqlByShape.get(shape) ?? text, shape).toBe(text);
      expect(shapeBySql.get(text) ?? shape, text).toBe(shape);
      sqlByShape.set(shape, text);
      shapeBySql.set(text, shape);
    }
    // Enough shapes that a missing part of the key would have merged some of them.
    expect(sqlByShape.size).toBeGreaterThan(100);
  });
});
