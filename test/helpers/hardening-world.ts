import { eq } from "drizzle-orm";
import { notifications, type Role } from "../../drizzle/schema";
import { createCategory, createOrder, createService, createUser, db, type TestUser } from "./factories";
import { call } from "./http";
import { fillPath, type Operation } from "./openapi-contract";
import { recordEvent } from "./realtime";

/** One of everything, owned by a client, a worker and an admin, so every path id can name a real object. */
export async function createWorld() {
  const [client, worker, admin] = await Promise.all([createUser("client"), createUser("worker"), createUser("admin")]);
  const category = await createCategory();
  const service = await createService({ worker, categoryId: category.id });
  const order = await createOrder({ client, service });
  // One inbox row for the client (the order is unassigned, so the worker gets none from it).
  const eventId = await recordEvent({ kind: "status_changed", orderId: order.id, status: "pending" });
  const [notification] = await db().select().from(notifications).where(eq(notifications.eventId, eventId));
  const users: Record<Role, TestUser> = { client, worker, admin };
  return { users, category, service, order, notification, payment: await paidPayment(client, service) };
}

export const CARD = { payment_method: "card", card_number: "4242424242424242", card_expiry: "12/40", card_cvv: "123", card_holder_name: "Test Holder" };

/** A completed payment of another order of the client, made through the API as a client would. */
async function paidPayment(client: TestUser, service: Awaited<ReturnType<typeof createService>>): Promise<{ id: string; orderId: number }> {
  const order = await createOrder({ client, service });
  const res = await call("POST", `/api/payments/order/${order.id}/pay/`, { token: client.token, body: CARD });
  if (res.status !== 201 || res.body.status !== "completed") throw new Error(`Payment setup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, orderId: order.id };
}

export type World = Awaited<ReturnType<typeof createWorld>>;

/** The object each path-id prefix names, as seen by `role`; extend when a resource gains `{id}` routes. */
const ID_OWNERS: [RegExp, (world: World, role: Role) => number | string][] = [
  [/^\/api\/users\/\{id\}/, (w, role) => w.users[role].id],
  [/^\/api\/workers\/\{id\}/, (w) => w.users.worker.profileId!],
  [/^\/api\/services\/categories\/\{id\}/, (w) => w.category.id],
  [/^\/api\/services\/\{id\}/, (w) => w.service.id],
  [/^\/api\/orders\/\{id\}/, (w) => w.order.id],
  [/^\/api\/payments\/order\/\{order_id\}/, (w) => w.order.id],
  [/^\/api\/payments\/\{id\}/, (w) => w.payment.id],
  [/^\/api\/notifications\/\{id\}/, (w) => w.notification.id],
];

/** Path parameters naming existing objects (or the first value of an enum parameter such as a job name). */
export function existingParams(op: Operation, world: World, role: Role, ids: Record<string, string> = {}): Record<string, string> {
  const params: Record<string, string> = {};
  for (const p of op.parameters.filter((p) => p.in === "path")) {
    const owner = ID_OWNERS.find(([prefix]) => prefix.test(op.path))?.[1];
    params[p.name] = ids[p.name] ?? String(p.schema.enum?.[0] ?? (owner ? owner(world, role) : 1));
  }
  return params;
}

const ROLES: Role[] = ["client", "worker", "admin"];
const MISSING_ID = "999999999";

/**
 * The least privileged role the route lets through (undefined for public routes). Probed with ids
 * that do not exist, so the role checks (which run first) answer and nothing is changed.
 */
export async function roleFor(op: Operation, world: World): Promise<Role | undefined> {
  if (!op.requiresAuth) return undefined;
  const params = Object.fromEntries(op.parameters.filter((p) => p.in === "path").map((p) => [p.name, MISSING_ID]));
  for (const role of ROLES) {
    const res = await call(op.method, fillPath(op.path, params), { token: world.users[role].token, body: op.body ? {} : undefined });
    if (res.status !== 403) return role;
  }
  throw new Error(`${op.operationId}: every role is forbidden`);
}
