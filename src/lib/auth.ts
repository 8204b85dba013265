import { eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { users, type Role } from "../../drizzle/schema";
import type { AuthUser } from "./auth-user";
import type { AppEnv } from "../context";
import { ApiError, forbidden } from "./errors";
import { verifyAccessToken } from "./tokens";


const unauthenticated = (detail: string) =>
  new ApiError("not_authenticated", detail, { "WWW-Authenticate": 'Bearer realm="api"' });

/** Resolves the bearer token, if any. Public routes ignore a bad token; protected ones call requireUser. */
export const resolveUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.req.header("Authorization")) return next();
  try {
    c.get("ctx").actor = await userFromAuthorization(c);
  } catch (error) {
    // A public route (health above all) still answers, as for anonymous; a protected one fails with the error.
    c.set("authLookupError", error);
  }
  await next();
};

async function userFromAuthorization(c: Context<AppEnv>): Promise<AuthUser | null> {
  const header = c.req.header("Authorization");
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? userForToken(c, match[1]) : null;
}

/**
 * The user a valid access token names, as the database knows them now (one indexed query): a
 * deleted or deactivated user → null, and the role is the current one, so a role change applies at once.
 */
export async function userForToken<E extends AppEnv>(c: Context<E>, token: string): Promise<(AuthUser & { expiresAt: number }) | null> {
  const claims = await verifyAccessToken(c.get("ctx").config, token);
  if (!claims) return null;
  const [row] = await c
    .get("ctx")
    .db.select({ role: users.role, isActive: users.isActive })
    .from(users)
    .where(eq(users.id, claims.userId))
    .limit(1);
  return row?.isActive ? { id: claims.userId, role: row.role, expiresAt: claims.expiresAt } : null;
}

function requireUser<E extends AppEnv>(c: Context<E>): AuthUser {
  const user = c.get("ctx").actor;
  if (user) return user;
  const lookupError = c.get("authLookupError");
  if (lookupError !== undefined) throw lookupError;
  throw c.req.header("Authorization")
    ? unauthenticated("Given token not valid for any token type")
    : unauthenticated("Authentication credentials were not provided.");
}

/**
 * Route middleware: authentication and role checks run before body validation, so a caller
 * without the right role gets 401/403 whatever the body holds.
 */
export function authenticated(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = requireUser(c);
    if (roles.length && !roles.includes(user.role)) throw forbidden();
    await next();
  };
}

/** The authenticated caller inside a handler whose route used `authenticated(...)`. */
export const currentUser = <E extends AppEnv>(c: Context<E>): AuthUser => requireUser(c);

export { unauthenticated };
