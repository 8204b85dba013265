import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { services, users, workerProfiles, workerSpecializations } from "../../drizzle/schema";
import { createService, createUser, db } from "../helpers/factories";
import { reportCounts } from "../helpers/hardening-report";
import { CARD, createWorld, existingParams, roleFor, type World } from "../helpers/hardening-world";
import { call, uniqueIp } from "../helpers/http";
import { fillPath, loadDocument, operationsOf, type Operation } from "../helpers/openapi-contract";

const doc = await loadDocument();
const protectedOps = operationsOf(doc).filter((op) => op.requiresAuth);
const idTakingOps = protectedOps.filter((op) => op.parameters.some((p) => p.in === "path" && p.schema.enum === undefined));

/** Admin-only operations per the contract's endpoint table. */
const ADMIN_ONLY = [
  "users_list",
  "categories_create",
  "categories_update",
  "categories_partial_update",
  "categories_destroy",
  "reports_payments_list",
  "admin_jobs_run",
  "admin_jobs_failed_list",
  "payments_refund",
  "reviews_hide",
  "orders_dispute_resolve",
];

/** A body that passes validation, so the object lookup (not the validator) answers. */
const VALID_BODIES: Record<string, unknown> = {
  users_update: { first_name: "Eve" },
  users_partial_update: { first_name: "Eve" },
  services_update: { name: "Taken over", description: "d", category_id: 1, base_price: "1.00" },
  services_partial_update: { name: "Taken over" },
  orders_assign: {},
  orders_change_status: { status: "canceled" },
  payments_pay: CARD,
  orders_reviews_create: { rating: 5 },
  reviews_hide: { reason: "Off-topic" },
  orders_messages_create: { body: "Hello" },
  orders_messages_read: { up_to: 1 },
  orders_dispute: { reason: "Not done" },
  orders_dispute_resolve: { resolution: "release" },
};

function bodyFor(op: Operation) {
  if (!op.body) return undefined;
  if (!(op.operationId in VALID_BODIES)) throw new Error(`Add a valid body for ${op.operationId} to VALID_BODIES`);
  return VALID_BODIES[op.operationId];
}

/** API1: object-level authorization — another user's object is a 404, never a 403 or its data. */
describe("object-level authorization: someone else's object is 404 on every id-taking route", () => {
  let victim: World;
  let intruders: World;
  beforeAll(async () => {
    [victim, intruders] = await Promise.all([createWorld(), createWorld()]);
    // The intruding worker specializes in their own service only, so the victim's open order is not theirs to see.
    const [profile] = await db().select().from(workerProfiles).where(eq(workerProfiles.userId, intruders.users.worker.id));
    await db().insert(workerSpecializations).values({ workerProfileId: profile.id, serviceId: intruders.service.id });
  });

  const checked: string[] = [];
  for (const op of idTakingOps) {
    it(`${op.method} ${op.path}`, async () => {
      const role = (await roleFor(op, victim))!;
      if (role === "admin") return void checked.push(`${op.operationId}:admin-sees-all`);
      const params = existingParams(op, victim, role);
      const path = fillPath(op.path, params);
      const token = intruders.users[role].token;
      const res = await call(op.method, path, { token, body: bodyFor(op) });
      // An object the intruder may read anyway (an active service) may answer 403; all others must not reveal they exist.
      const objectPath = fillPath(op.path.replace(/(\{\w+\}\/).*$/, "$1"), params);
      const readable = (await call("GET", objectPath, { token })).status === 200;
      expect(res.status, `${role} of another world on ${path}`).toBe(readable ? 403 : 404);
      expect(res.body.code).toBe(readable ? "permission_denied" : "not_found");
      checked.push(op.operationId);
    });
  }

  it("covered every id-taking protected route", (context) => {
    expect(checked.length).toBe(idTakingOps.length);
    reportCounts(context, { routes: checked.length, admin_only_skipped: checked.filter((c) => c.endsWith("admin-sees-all")).length });
  });
});

/** API5: function-level authorization — admin functions refuse clients and workers before reading the body. */
describe("function-level authorization", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it("the routes only admins pass are exactly the contract's admin routes", async () => {
    const adminOnly: string[] = [];
    for (const op of protectedOps) if ((await roleFor(op, world)) === "admin") adminOnly.push(op.operationId);
    expect(adminOnly.sort()).toEqual([...ADMIN_ONLY].sort());
  });

  for (const operationId of ADMIN_ONLY) {
    it(`${operationId} is 403 for clients and workers, whatever the body`, async () => {
      const op = protectedOps.find((o) => o.operationId === operationId)!;
      const path = fillPath(op.path, existingParams(op, world, "admin"));
      for (const role of ["client", "worker"] as const) {
        for (const body of op.body ? [{}, { name: "x", amount: "1.00" }, "not json"] : [undefined]) {
          const res = await call(op.method, path, { token: world.users[role].token, body });
          expect(res.status, `${role} ${op.method} ${path}`).toBe(403);
          expect(res.body.code).toBe("permission_denied");
        }
      }
    });
  }
});

/** API3: property-level authorization — privileged fields are never taken from a body. */
describe("no mass assignment", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it("register ignores or refuses role=admin and is_verified", async () => {
    const asAdmin = await call("POST", "/api/auth/register/", { ip: uniqueIp(), body: { username: `mass_${Date.now()}`, password: "a-Long-enough-pass-42", role: "admin" } });
    expect(asAdmin.status).toBe(400);
    const username = `mass_v_${Date.now()}`;
    const verified = await call("POST", "/api/auth/register/", { ip: uniqueIp(), body: { username, password: "a-Long-enough-pass-42", is_verified: true, id: 1 } });
    expect([201, 400]).toContain(verified.status);
    const [row] = await db().select().from(users).where(eq(users.username, username));
    if (row) expect({ isVerified: row.isVerified, role: row.role, notId1: row.id !== 1 }).toEqual({ isVerified: false, role: "client", notId1: true });
  });

  it("a user cannot raise their own role or verify themselves", async () => {
    const { client } = world.users;
    await call("PATCH", `/api/users/${client.id}/`, { token: client.token, body: { role: "admin", is_verified: true } });
    const [row] = await db().select().from(users).where(eq(users.id, client.id));
    expect({ role: row.role, isVerified: row.isVerified }).toEqual({ role: "client", isVerified: false });
  });

  it("a worker cannot write their rating or review count", async () => {
    const { worker } = world.users;
    const before = await call("GET", "/api/workers/me/", { token: worker.token });
    await call("PATCH", "/api/workers/me/", { token: worker.token, body: { rating: "5.00", reviews_count: 999, bio: "hi" } });
    const after = await call("GET", "/api/workers/me/", { token: worker.token });
    expect({ rating: after.body.rating, reviews_count: after.body.reviews_count }).toEqual({ rating: before.body.rating, reviews_count: before.body.reviews_count });
  });

  it("a new or edited service belongs to its creator, whatever worker the body names", async () => {
    const { worker } = world.users;
    const other = await createUser("worker");
    const created = await call("POST", "/api/services/", {
      token: worker.token,
      body: { name: `Mass ${Date.now()}`, description: "d", category_id: world.category.id, base_price: "10.00", worker: other.id, worker_id: other.id },
    });
    expect(created.status).toBe(201);
    expect(created.body.worker.id).toBe(worker.id);
    await call("PATCH", `/api/services/${world.service.id}/`, { token: worker.token, body: { worker_id: other.id, worker: other.id } });
    const [row] = await db().select().from(services).where(eq(services.id, world.service.id));
    expect(row.workerId).toBe(worker.id);
  });

  it("an order's price, status and worker come from the server", async () => {
    const service = await createService({ priceCents: 12_345 });
    const res = await call("POST", "/api/orders/create/", {
      token: world.users.client.token,
      body: {
        service_id: service.id,
        description: "d",
        address: "a",
        scheduled_date: new Date(Date.now() + 86_400_000).toISOString(),
        quantity: 2,
        total_price: "0.01",
        status: "completed",
        worker: world.users.worker.id,
        worker_id: world.users.worker.id,
        client: world.users.admin.id,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ total_price: "246.90", status: "pending", worker: null, client: { id: world.users.client.id } });
  });

  it("a payment charges the order's total, not an amount or status from the body", async () => {
    const order = world.order;
    const res = await call("POST", `/api/payments/order/${order.id}/pay/`, {
      token: world.users.client.token,
      body: { ...CARD, amount: "0.01", status: "refunded", refunded_amount: "50.00", user: world.users.admin.id },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ amount: "50.00", status: "completed", refunded_amount: "0.00", user: world.users.client.id });
  });
});
