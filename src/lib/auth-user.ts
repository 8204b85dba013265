import type { Role } from "../../drizzle/schema";

/** The authenticated caller: who they are and, as the database knows it now, their role. */
export interface AuthUser {
  id: number;
  role: Role;
}
