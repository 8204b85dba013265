import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { isGuardFailure } from "../../db/guards";
import { conflict, type ApiError } from "../../lib/errors";
import { inboxInserts, schedulePush, type DomainEvent } from "../notifications/notification-events";
import type { Outbox } from "../../context";

export type OrderWrite = BatchItem<"sqlite">;

/**
 * The one way an order change is committed: its writes and the inbox rows of its events in ONE
 * `db.batch` (so the inbox never disagrees with the order), then the live pushes are queued.
 * A guarded write that lost a race rolls the whole batch back and surfaces as `lostRace` (a 409).
 */
export async function commitOrderChange(
  db: Db,
  outbox: Outbox,
  writes: readonly [OrderWrite, ...OrderWrite[]],
  events: DomainEvent[],
  lostRace: () => ApiError = () => conflict("The order was changed by someone else meanwhile; reload it and try again."),
): Promise<unknown[]> {
  const inbox = events.map((event) => inboxInserts(db, event));
  let results: unknown[];
  try {
    results = await db.batch([...writes, ...inbox.flatMap((i) => i.statements)]);
  } catch (error) {
    throw isGuardFailure(error, "order") ? lostRace() : error;
  }
  for (const { eventId } of inbox) schedulePush(outbox, eventId);
  return results;
}
