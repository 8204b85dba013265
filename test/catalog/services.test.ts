import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { orders, services } from "../../drizzle/schema";
import { call } from "../helpers/http";
import { createCategory, createOrder, createService, createUser, db, unique } from "../helpers/factories";

const serviceBody = (categoryId: number, overrides: Record<string, unknown> = {}) => ({
  name: unique("Leak repair"),
  description: "Fix leaking pipes",
  category_id: categoryId,
  base_price: "500",
  ...overrides,
});

describe("POST /api/services/", () => {
  it("lets a worker create a service they own, with the category and owner nested", async () => {
    const worker = await createUser("worker");
    const category = await createCategory({ icon: "pipe" });
    const body = serviceBody(category.id, { duration_hours: 3, worker: 1, worker_id: 1 });
    const res = await call("POST", "/api/services/", { token: worker.token, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: body.name,
      description: "Fix leaking pipes",
      category: { id: category.id, name: category.name, description: "", icon: "pipe" },
      base_price: "500.00",
      duration_hours: 3,
      is_active: true,
      worker: expect.objectContaining({ id: worker.id, username: worker.username, role: "worker" }),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(res.body.worker).not.toHaveProperty("password_hash");
    const [row] = await db().select().from(services).where(eq(services.id, res.body.id));
    expect(row).toMatchObject({ workerId: worker.id, basePriceCents: 50000, durationHours: 3 });
  });

  it("defaults duration to 1 hour and accepts numeric prices and is_active", async () => {
    const worker = await createUser("worker");
    const category = await createCategory();
    const res = await call("POST", "/api/services", {
      token: worker.token,
      body: serviceBody(category.id, { base_price: 99.5, is_active: false }),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ base_price: "99.50", duration_hours: 1, is_active: false });
  });

  it("rejects invalid fields with DRF-style field errors", async () => {
    const worker = await createUser("worker");
    const category = await createCategory();
    const cases: [Record<string, unknown>, string][] = [
      [{ base_price: "1.234" }, "base_price"],
      [{ base_price: "-5" }, "base_price"],
      [{ base_price: "0" }, "base_price"],
      [{ base_price: "1000000.01" }, "base_price"],
      [{ base_price: "abc" }, "base_price"],
      [{ duration_hours: 0 }, "duration_hours"],
      [{ duration_hours: 1001 }, "duration_hours"],
      [{ duration_hours: 1.5 }, "duration_hours"],
      [{ name: "" }, "name"],
      [{ description: undefined }, "description"],
      [{ category_id: "x" }, "category_id"],
      [{ category_id: 99999999 }, "category_id"],
    ];
    for (const [override, field] of cases) {
      const res = await call("POST", "/api/services/", { token: worker.token, body: serviceBody(category.id, override) });
      expect(res.status, JSON.stringify(override)).toBe(400);
      expect(Object.keys(res.body), JSON.stringify(override)).toEqual([field]);
    }
    expect((await call("POST", "/api/services/", { token: worker.token, body: "[" })).status).toBe(400);
  });

  it("is for workers only, checked before the body", async () => {
    const noToken = await call("POST", "/api/services/", { body: {} });
    expect(noToken.status).toBe(401);
    expect(noToken.body.code).toBe("not_authenticated");
    for (const role of ["client", "admin"] as const) {
      const user = await createUser(role);
      const res = await call("POST", "/api/services/", { token: user.token, body: {} });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("permission_denied");
    }
  });
});

describe("GET /api/services/{id}/", () => {
  it("shows an active service to anyone in one query", async () => {
    const service = await createService({ priceCents: 12345 });
    const res = await call("GET", `/api/services/${service.id}/`, { headers: { Authorization: "Bearer not-a-jwt" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-DB-Queries")).toBe("1");
    expect(res.body).toMatchObject({ id: service.id, base_price: "123.45", worker: { id: service.owner.id } });
  });

  it("shows an inactive service only to its owner and admins", async () => {
    const service = await createService({ isActive: false });
    const admin = await createUser("admin");
    const otherWorker = await createUser("worker");
    const client = await createUser("client");
    const path = `/api/services/${service.id}/`;
    expect((await call("GET", path, { token: service.owner.token })).body.is_active).toBe(false);
    expect((await call("GET", path, { token: admin.token })).status).toBe(200);
    for (const token of [undefined, otherWorker.token, client.token]) {
      const res = await call("GET", path, { token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: "Not found.", code: "not_found" });
    }
  });

  it("answers 404 for unknown ids and 400 for non-numeric ones", async () => {
    expect((await call("GET", "/api/services/99999999/")).status).toBe(404);
    expect((await call("GET", "/api/services/abc/")).status).toBe(400);
    expect((await call("GET", "/api/services/-1/")).status).toBe(400);
  });
});

describe("PUT/PATCH /api/services/{id}/", () => {
  it("lets the owner update, but never change the owner", async () => {
    const service = await createService();
    const newCategory = await createCategory();
    const other = await createUser("worker");
    const path = `/api/services/${service.id}/` as const;
    const patch = await call("PATCH", path, {
      token: service.owner.token,
      body: { base_price: "75.5", category_id: newCategory.id, worker: other.id, worker_id: other.id },
    });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ base_price: "75.50", category: { id: newCategory.id }, worker: { id: service.owner.id } });
    expect(Date.parse(patch.body.updated_at)).toBeGreaterThanOrEqual(service.updatedAt.getTime());

    const put = await call("PUT", path, {
      token: service.owner.token,
      body: { name: "Renamed", description: "New text", category_id: newCategory.id, base_price: 10, duration_hours: 2 },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: "Renamed", description: "New text", base_price: "10.00", duration_hours: 2, worker: { id: service.owner.id } });
  });

  it("lets an admin update any service, including an inactive one", async () => {
    const service = await createService({ isActive: false });
    const admin = await createUser("admin");
    const res = await call("PATCH", `/api/services/${service.id}/`, { token: admin.token, body: { is_active: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ is_active: true, worker: { id: service.owner.id } });
  });

  it("validates the body", async () => {
    const service = await createService();
    const path = `/api/services/${service.id}/`;
    const token = service.owner.token;
    const putMissing = await call("PUT", path, { token, body: { name: "Only a name" } });
    expect(putMissing.status).toBe(400);
    expect(Object.keys(putMissing.body).sort()).toEqual(["base_price", "category_id", "description"]);
    expect((await call("PATCH", path, { token, body: { base_price: "0.001" } })).body).toHaveProperty("base_price");
    expect((await call("PATCH", path, { token, body: { category_id: 99999999 } })).body).toEqual({
      category_id: ["Invalid pk - object does not exist."],
    });
    expect((await call("PATCH", path, { token, body: { is_active: "maybe" } })).status).toBe(400);
  });

  it("denies other workers (403 when visible, 404 when inactive) and clients", async () => {
    const active = await createService();
    const inactive = await createService({ isActive: false });
    const intruder = await createUser("worker");
    const client = await createUser("client");
    const patch = (id: number, token?: string) => call("PATCH", `/api/services/${id}/`, { token, body: { name: "Mine now" } });
    expect((await patch(active.id, intruder.token)).status).toBe(403);
    expect((await patch(inactive.id, intruder.token)).status).toBe(404);
    expect((await patch(active.id, client.token)).status).toBe(403);
    expect((await patch(active.id)).status).toBe(401);
    expect((await patch(99999999, intruder.token)).status).toBe(404);
    const [row] = await db().select().from(services).where(eq(services.id, active.id));
    expect(row.name).toBe(active.name);
  });
});

describe("DELETE /api/services/{id}/", () => {
  it("deactivates the service and keeps its orders", async () => {
    const service = await createService();
    const order = await createOrder({ service });
    const res = await call("DELETE", `/api/services/${service.id}/`, { token: service.owner.token });
    expect(res.status).toBe(204);
    const [row] = await db().select().from(services).where(eq(services.id, service.id));
    expect(row.isActive).toBe(false);
    expect(await db().select().from(orders).where(eq(orders.id, order.id))).toHaveLength(1);
    expect((await call("GET", `/api/services/${service.id}/`)).status).toBe(404);
    expect((await call("DELETE", `/api/services/${service.id}/`, { token: service.owner.token })).status).toBe(204);
  });

  it("lets an admin deactivate any service", async () => {
    const service = await createService();
    const admin = await createUser("admin");
    expect((await call("DELETE", `/api/services/${service.id}/`, { token: admin.token })).status).toBe(204);
    const [row] = await db().select().from(services).where(eq(services.id, service.id));
    expect(row.isActive).toBe(false);
  });

  it("denies everyone else", async () => {
    const service = await createService();
    const intruder = await createUser("worker");
    const client = await createUser("client");
    expect((await call("DELETE", `/api/services/${service.id}/`)).status).toBe(401);
    expect((await call("DELETE", `/api/services/${service.id}/`, { token: client.token })).status).toBe(403);
    expect((await call("DELETE", `/api/services/${service.id}/`, { token: intruder.token })).status).toBe(403);
    expect((await call("DELETE", "/api/services/99999999/", { token: intruder.token })).status).toBe(404);
    const [row] = await db().select().from(services).where(eq(services.id, service.id));
    expect(row.isActive).toBe(true);
  });
});
