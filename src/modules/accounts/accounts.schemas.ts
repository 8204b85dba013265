import { z } from "@hono/zod-openapi";
import { ROLES, type users } from "../../../drizzle/schema";
import { iso } from "../../lib/time";
import { paginationQuery } from "../../lib/pagination";

const publicUserFields = {
  id: z.number().int(),
  username: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  role: z.enum(ROLES),
  is_verified: z.boolean(),
  date_joined: z.string().openapi({ format: "date-time" }),
};

/**
 * A user as shown to someone who is not that user, not the other party of an order they share,
 * and not an admin: the User without its contact fields (`email`, `phone`). Closed (strict), so the
 * document says that no other field may appear.
 */
export const publicUserSchema = z.strictObject(publicUserFields).openapi("PublicUser");

/**
 * The full user: for that user, admins, and the other party of an order once a worker is assigned.
 * Not `publicUserSchema.extend(...)`: that documents `allOf` of two closed objects, which no user satisfies.
 */
export const userSchema = z.strictObject({ ...publicUserFields, email: z.string(), phone: z.string() }).openapi("User");

export type PublicUserDto = z.infer<typeof publicUserSchema>;
export type UserDto = z.infer<typeof userSchema>;

/** Rows selected with `publicUserColumns` / `userColumns` (user-columns.ts). */
export type PublicUserRow = Pick<
  typeof users.$inferSelect,
  "id" | "username" | "firstName" | "lastName" | "role" | "isVerified" | "dateJoined"
>;
export type UserRow = PublicUserRow & Pick<typeof users.$inferSelect, "email" | "phone">;

export const toPublicUserDto = (u: PublicUserRow): PublicUserDto => ({
  id: u.id,
  username: u.username,
  first_name: u.firstName,
  last_name: u.lastName,
  role: u.role,
  is_verified: u.isVerified,
  date_joined: iso(u.dateJoined),
});

export const toUserDto = (u: UserRow): UserDto => ({ ...toPublicUserDto(u), email: u.email, phone: u.phone });

const username = z
  .string()
  .trim()
  .min(1, "This field may not be blank.")
  .max(150, "Ensure this field has no more than 150 characters.")
  .regex(/^[\w.@+-]+$/, "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.");
const password = z.string().min(1, "This field may not be blank.").max(128, "Ensure this field has no more than 128 characters.");
const email = z.union([z.literal(""), z.email("Enter a valid email address.").max(254)]);
const name = z.string().trim().max(150, "Ensure this field has no more than 150 characters.");
const phone = z
  .string()
  .trim()
  .max(20, "Ensure this field has no more than 20 characters.")
  .regex(/^[+\d\s()-]*$/, "Enter a valid phone number.");

export const registerBody = z
  .object({
    username,
    password,
    email: email.optional(),
    first_name: name.optional(),
    last_name: name.optional(),
    phone: phone.optional(),
    role: z
      .enum(["client", "worker"], { error: "Choose client or worker; admin accounts cannot be registered." })
      .optional(),
  })
  .openapi("RegisterRequest");

export const loginBody = z.object({ username: z.string().min(1).max(150), password: z.string().min(1).max(128) }).openapi("LoginRequest");
export const refreshBody = z.object({ refresh: z.string().min(1).max(512) }).openapi("RefreshRequest");

export const tokenPairSchema = z.object({ access: z.string(), refresh: z.string() }).openapi("TokenPair");
export const loginResponseSchema = tokenPairSchema.extend({ user: userSchema }).openapi("LoginResponse");

/** Fields a user may change on themselves; `role`, `is_verified`, `is_active` only by an admin. */
export const userUpdateBody = z
  .object({
    email: email.optional(),
    first_name: name.optional(),
    last_name: name.optional(),
    phone: phone.optional(),
    password: password.optional(),
    current_password: z.string().max(128).optional(),
    role: z.enum(ROLES).optional(),
    is_verified: z.boolean().optional(),
    is_active: z.boolean().optional(),
  })
  .openapi("UserUpdateRequest");

export type UserUpdate = z.infer<typeof userUpdateBody>;

export const usersQuery = paginationQuery.extend({ role: z.enum(ROLES).optional() });
