import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { categories, orderStatusHistory, orders, refreshTokens, services, users, workerProfiles, type Role } from "../../drizzle/schema";
import { createDb } from "../../src/db/client";
import { loadConfig } from "../../src/env";
import { hashPassword } from "../../src/lib/passwords";
import { signAccessToken } from "../../src/lib/tokens";
import { sha256Hex } from "../../src/lib/crypto";

export const db = () => createDb(env);

let sequence = 0;
export const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${sequence++}`;

export const PASSWORD = "correct-horse-battery";
let passwordHash: Promise<string> | undefined;

export interface TestUser {
  id: number;
  username: string;
  role: Role;
  token: string;
  profileId?: number;
}

/** Inserts a user directly (and a worker profile for workers) and signs an access token for them. */
export async function createUser(role: Role = "client", overrides: Partial<typeof users.$inferInsert> = {}): Promise<TestUser> {
  passwordHash ??= hashPassword(PASSWORD);
  const [user] = await db()
    .insert(users)
    .values({ username: unique(role), role, passwordHash: await passwordHash, ...overrides })
    .returning();
  let profileId: number | undefined;
  if (role === "worker") {
    const [profile] = await db().insert(workerProfiles).values({ userId: user.id }).returning();
    profileId = profile.id;
  }
  const token = await signAccessToken(loadConfig(env), { userId: user.id, role });
  return { id: user.id, username: user.username, role, token, profileId };
}

/** An access token for `user` that expires `seconds` from now (for tests of expiry). */
export const shortLivedToken = (user: TestUser, seconds: number): Promise<string> =>
  signAccessToken(loadConfig(env), { userId: user.id, role: user.role }, seconds);

/** Moves the rotation of refresh token `token` `ms` into the past, instead of sleeping through a grace period. */
export async function ageRotation(token: string, ms: number) {
  await db()
    .update(refreshTokens)
    .set({ rotatedAt: sql`${refreshTokens.rotatedAt} - ${ms}` })
    .where(eq(refreshTokens.tokenHash, await sha256Hex(token)));
}

export async function createCategory(overrides: Partial<typeof categories.$inferInsert> = {}) {
  const [category] = await db().insert(categories).values({ name: unique("Category"), ...overrides }).returning();
  return category;
}

/** A service owned by `worker` (created if not given), in `categoryId` (created if not given). */
export async function createService(
  options: { worker?: TestUser; categoryId?: number; priceCents?: number } & Partial<typeof services.$inferInsert> = {},
) {
  const { worker, categoryId, priceCents, ...overrides } = options;
  const owner = worker ?? (await createUser("worker"));
  const category = categoryId ?? (await createCategory()).id;
  const [service] = await db()
    .insert(services)
    .values({
      name: unique("Service"),
      description: "A service for tests",
      categoryId: category,
      workerId: owner.id,
      basePriceCents: priceCents ?? 5000,
      ...overrides,
    })
    .returning();
  return { ...service, owner };
}

/** An order inserted directly (with its initial history row), for tests of later lifecycle stages. */
export async function createOrder(
  options: { client?: TestUser; service?: Awaited<ReturnType<typeof createService>>; quantity?: number } & Partial<
    typeof orders.$inferInsert
  > = {},
) {
  const { client, service, quantity = 1, ...overrides } = options;
  const owner = client ?? (await createUser("client"));
  const forService = service ?? (await createService());
  const [order] = await db()
    .insert(orders)
    .values({
      serviceId: forService.id,
      clientId: owner.id,
      description: "Fix the sink",
      address: "1 Main St",
      scheduledDate: new Date(Date.now() + 86_400_000),
      quantity,
      totalPriceCents: forService.basePriceCents * quantity,
      ...overrides,
    })
    .returning();
  await db().insert(orderStatusHistory).values({ orderId: order.id, status: order.status, createdById: owner.id, comment: "Order created" });
  return { ...order, client: owner, service: forService };
}
