import type { AppContext } from "../../context";
import { desc, eq, getTableColumns } from "drizzle-orm";
import { users, workerProfiles } from "../../../drizzle/schema";
import type { AuthUser } from "../../lib/auth-user";
import { ApiError, ValidationError, forbidden, notFound } from "../../lib/errors";
import { hashPassword, passwordPolicyErrors, verifyPassword } from "../../lib/passwords";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import { toUserDto, type UserUpdate } from "./accounts.schemas";
import { revokeAllForUser } from "./auth.service";

export async function listUsers(ctx: AppContext, url: string, page: PageRequest, role?: "client" | "worker" | "admin") {
  const { db } = ctx;
  const rows = await db
    .select({ ...getTableColumns(users), total: windowTotal() })
    .from(users)
    .where(role ? eq(users.role, role) : undefined)
    .orderBy(desc(users.id))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, toUserDto);
}

/** Self or admin; anyone else gets the same 404 as for a missing user. */
function visibleUserId(caller: AuthUser, id: number): number {
  if (caller.role !== "admin" && caller.id !== id) throw notFound();
  return id;
}

export async function getUser(ctx: AppContext, caller: AuthUser, id: number) {
  const { db } = ctx;
  const user = await db.query.users.findFirst({ where: eq(users.id, visibleUserId(caller, id)) });
  if (!user) throw notFound();
  return toUserDto(user);
}

const ADMIN_ONLY_FIELDS = ["role", "is_verified", "is_active"] as const;

export async function updateUser(ctx: AppContext, caller: AuthUser, id: number, input: UserUpdate) {
  const { db } = ctx;
  const user = await db.query.users.findFirst({ where: eq(users.id, visibleUserId(caller, id)) });
  if (!user) throw notFound();
  const isAdmin = caller.role === "admin";
  const adminFields = ADMIN_ONLY_FIELDS.filter((field) => input[field] !== undefined);
  if (!isAdmin && adminFields.length) throw forbidden(`Only admins may change: ${adminFields.join(", ")}.`);
  if (isAdmin && caller.id === id && (input.role !== undefined && input.role !== "admin" || input.is_active === false)) {
    throw new ApiError("permission_denied", "Admins cannot demote or deactivate themselves.");
  }

  const changes: Partial<typeof users.$inferInsert> = {};
  if (input.email !== undefined) changes.email = input.email;
  if (input.first_name !== undefined) changes.firstName = input.first_name;
  if (input.last_name !== undefined) changes.lastName = input.last_name;
  if (input.phone !== undefined) changes.phone = input.phone;
  if (input.role !== undefined) changes.role = input.role;
  if (input.is_verified !== undefined) changes.isVerified = input.is_verified;
  if (input.is_active !== undefined) changes.isActive = input.is_active;
  if (input.password !== undefined) {
    // Changing one's own password always needs the current one; an admin resetting another's does not.
    if (caller.id === id) {
      if (!input.current_password) throw ValidationError.field("current_password", "This field is required to change the password.");
      if (!(await verifyPassword(input.current_password, user.passwordHash))) {
        throw ValidationError.field("current_password", "Current password is incorrect.");
      }
    }
    const policy = passwordPolicyErrors(input.password, user.username);
    if (policy.length) throw new ValidationError({ password: policy });
    changes.passwordHash = await hashPassword(input.password);
  }
  if (!Object.keys(changes).length) return { user: toUserDto(user), sessionsEnded: false };

  // A new password, a role change or deactivation ends every session: refresh tokens in the same batch
  // as the change (a crash can't leave a new password with the old sessions alive), sockets by the caller.
  const sessionsEnded = Boolean(changes.passwordHash || changes.role || changes.isActive === false);
  const [[updated]] = await db.batch([
    db.update(users).set(changes).where(eq(users.id, id)).returning(),
    ...(changes.role === "worker" ? [db.insert(workerProfiles).values({ userId: id }).onConflictDoNothing()] : []),
    ...(sessionsEnded ? [revokeAllForUser(db, id)] : []),
  ]);
  return { user: toUserDto(updated), sessionsEnded };
}
