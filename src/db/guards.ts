import { sql } from "drizzle-orm";
import { batchGuards } from "../../drizzle/schema";
import type { Db } from "./client";
import { errorChainText } from "./results";

/** What a guard protects: an order's state, a payment's (refunds included), or an escrow's. */
export type Guard = "order" | "payment" | "escrow";

/**
 * Put right after a guarded UPDATE in a `db.batch`: when that UPDATE changed no row (another request
 * got there first), this writes a value the guard's CHECK refuses, so the whole batch rolls back and
 * nothing after it (history, refunds, notifications) applies; otherwise it writes nothing.
 */
export const abortUnlessChanged = (db: Db, guard: Guard) =>
  db.insert(batchGuards).select(sql`SELECT ${guard === "order" ? 1 : null}, ${guard === "payment" ? 1 : null}, ${guard === "escrow" ? 1 : null} WHERE changes() = 0`);

/** True when a batch was rolled back by `abortUnlessChanged(db, guard)`. */
export const isGuardFailure = (error: unknown, guard: Guard) => errorChainText(error).includes(`CHECK constraint failed: ${guard}_guard`);
