import type { alias } from "drizzle-orm/sqlite-core";
import type { users } from "../../../drizzle/schema";
import type { PublicUserRow, UserRow } from "./accounts.schemas";

/** An alias of `users` (an order joins it once per role). */
export type UserAlias = ReturnType<typeof alias<typeof users, string>>;
type UserTable = typeof users | UserAlias;

/**
 * The columns of a nested user, the one list every query selects them with. Public reads select
 * only these, so contact data never leaves the database for them.
 */
export const publicUserColumns = (u: UserTable) =>
  ({
    id: u.id,
    username: u.username,
    firstName: u.firstName,
    lastName: u.lastName,
    role: u.role,
    isVerified: u.isVerified,
    dateJoined: u.dateJoined,
  }) satisfies Record<keyof PublicUserRow, unknown>;

/** The public columns plus the contact fields, for reads where the caller may be entitled to them. */
export const userColumns = (u: UserTable) =>
  ({ ...publicUserColumns(u), email: u.email, phone: u.phone }) satisfies Record<keyof UserRow, unknown>;
