import type { AppContext } from "../../context";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { refreshTokens, users, workerProfiles } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { isUniqueViolation } from "../../db/results";
import type { Config } from "../../env";
import { ValidationError } from "../../lib/errors";
import { DUMMY_PASSWORD_HASH, hashPassword, passwordPolicyErrors, verifyPassword } from "../../lib/passwords";
import { REFRESH_TOKEN_TTL_MS, newRefreshToken, signAccessToken } from "../../lib/tokens";
import { sha256Hex } from "../../lib/crypto";
import { unauthenticated } from "../../lib/auth";
import { toUserDto, type UserDto } from "./accounts.schemas";

type NewAccount = {
  username: string;
  password: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  role?: "client" | "worker";
};

const byUsername = (username: string) => sql`lower(${users.username}) = lower(${username})`;

export async function register(ctx: AppContext, input: NewAccount): Promise<UserDto> {
  const { db } = ctx;
  const policy = passwordPolicyErrors(input.password, input.username);
  if (policy.length) throw new ValidationError({ password: policy });
  const role = input.role ?? "client";
  const now = new Date();
  const insertUser = db
    .insert(users)
    .values({
      username: input.username,
      email: input.email ?? "",
      firstName: input.first_name ?? "",
      lastName: input.last_name ?? "",
      phone: input.phone ?? "",
      role,
      passwordHash: await hashPassword(input.password),
      dateJoined: now,
    })
    .returning();
  try {
    if (role !== "worker") {
      const [user] = await insertUser;
      return toUserDto(user);
    }
    // The user and their worker profile are created atomically in one batch.
    const [[user]] = await db.batch([
      insertUser,
      db.insert(workerProfiles).values({
        userId: sql`(SELECT id FROM users WHERE lower(username) = lower(${input.username}))`,
        createdAt: now,
        updatedAt: now,
      }),
    ]);
    return toUserDto(user);
  } catch (error) {
    if (isUniqueViolation(error)) throw ValidationError.field("username", "A user with that username already exists.");
    throw error;
  }
}

export const badCredentials = () =>
  new ValidationError({ non_field_errors: ["Unable to log in with provided credentials."] });

/** Tokens and the user, or null for bad credentials (the caller counts the failure). */
export async function login(ctx: AppContext, username: string, password: string) {
  const { db, config } = ctx;
  const user = await db.query.users.findFirst({ where: byUsername(username) });
  // Unknown users cost one PBKDF2 too, so timing does not reveal which usernames exist.
  const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !valid || !user.isActive) return null;
  const tokens = await issueTokens(db, config, user, crypto.randomUUID());
  return { ...tokens, user: toUserDto(user) };
}

async function issueTokens(
  db: Db,
  config: Config,
  user: { id: number; role: "client" | "worker" | "admin" },
  familyId: string,
) {
  const refresh = await newRefreshToken();
  await db.insert(refreshTokens).values({
    userId: user.id,
    familyId,
    tokenHash: refresh.hash,
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
  });
  return { access: await signAccessToken(config, { userId: user.id, role: user.role }), refresh: refresh.token };
}

const invalidRefresh = () => unauthenticated("Token is invalid or expired");

/**
 * For this long after a rotation, the rotated token may be presented once more and gets a pair of
 * its own in the same family: two tabs refreshing at the same moment both stay signed in.
 */
export const REFRESH_GRACE_MS = 10_000;

/**
 * Rotates a refresh token. The guarded UPDATE makes rotation single-use even under races;
 * presenting an already rotated (or revoked) token revokes its whole family, except for one
 * repeat within the grace period.
 */
export async function rotateRefreshToken(ctx: AppContext, token: string) {
  const { db, config } = ctx;
  const hash = await sha256Hex(token);
  const now = new Date();
  const [rotated] = await db
    .update(refreshTokens)
    .set({ rotatedAt: now })
    .where(
      and(
        eq(refreshTokens.tokenHash, hash),
        isNull(refreshTokens.rotatedAt),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning({ userId: refreshTokens.userId, familyId: refreshTokens.familyId });

  if (rotated) return issueTokens(db, config, await activeUserOf(db, rotated), rotated.familyId);

  const repeat = await issueWithinGrace(db, hash, now);
  if (repeat) {
    const user = await activeUserOf(db, repeat);
    return { access: await signAccessToken(config, { userId: user.id, role: user.role }), refresh: repeat.token };
  }
  const known = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, hash) });
  if (known && (known.rotatedAt || known.revokedAt)) await revokeFamily(db, known.familyId);
  throw invalidRefresh();
}

/** The user a refresh token belongs to; gone or deactivated → the family is revoked and 401. */
async function activeUserOf(db: Db, grant: { userId: number; familyId: string }) {
  const user = await db.query.users.findFirst({ where: eq(users.id, grant.userId) });
  if (user?.isActive) return user;
  await revokeFamily(db, grant.familyId);
  throw invalidRefresh();
}

/**
 * One statement, so concurrent repeats cannot both pass: stores a new token in the family of the
 * token hashed `hash` if that token was rotated within the grace period, is not revoked, and its
 * family has gained only its successor since (so each rotated token is repeated at most once and
 * not after the successor itself was rotated).
 */
async function issueWithinGrace(db: Db, hash: string, now: Date) {
  const refresh = await newRefreshToken();
  const [row] = await db.all<{ user_id: number; family_id: string }>(sql`
    INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, created_at)
    SELECT used.user_id, used.family_id, ${refresh.hash}, ${now.getTime() + REFRESH_TOKEN_TTL_MS},
      max(${now.getTime()}, used.rotated_at)
    FROM refresh_tokens AS used
    WHERE used.token_hash = ${hash} AND used.revoked_at IS NULL AND used.rotated_at > ${now.getTime() - REFRESH_GRACE_MS}
      AND (SELECT count(*) FROM refresh_tokens AS later
           WHERE later.family_id = used.family_id AND later.created_at >= used.rotated_at) < 2
    RETURNING user_id, family_id`);
  return row ? { userId: row.user_id, familyId: row.family_id, token: refresh.token } : null;
}

async function revokeFamily(db: Db, familyId: string) {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/** Revokes the family of `token` if it belongs to the caller; unknown tokens change nothing. */
export async function logout(ctx: AppContext, userId: number, token: string): Promise<void> {
  const { db } = ctx;
  const hash = await sha256Hex(token);
  const known = await db.query.refreshTokens.findFirst({
    where: and(eq(refreshTokens.tokenHash, hash), eq(refreshTokens.userId, userId)),
  });
  if (!known) throw ValidationError.field("refresh", "Token is invalid or does not belong to you.");
  await revokeFamily(db, known.familyId);
}

/** Revokes every live refresh token of the user; a statement for the batch of the change that ends the sessions. */
export const revokeAllForUser = (db: Db, userId: number) =>
  db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
