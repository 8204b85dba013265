import { ValidationError } from "./errors";

/** Sent back on every response that touched the database; a client returns it to read its own writes. */
export const BOOKMARK_HEADER = "X-D1-Bookmark";

// D1 bookmarks are four dash-separated hex groups (e.g. 00000085-0000024c-00004c6d-8e61…83). Anything
// else is refused here: production D1 rejects a malformed bookmark deep inside the first query.
const BOOKMARK_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/i;

const isRead = (method: string) => method === "GET" || method === "HEAD";

/**
 * Where a request's D1 session starts. Writes start on the primary. Reads carrying the client's
 * bookmark see at least that state (read-your-writes); reads without one need no particular
 * freshness and may start on the nearest replica.
 */
export function sessionConstraint(method: string, bookmark: string | undefined): string {
  if (bookmark !== undefined && !BOOKMARK_SHAPE.test(bookmark)) {
    throw ValidationError.field(BOOKMARK_HEADER.toLowerCase(), "Not a valid D1 bookmark.");
  }
  if (!isRead(method)) return "first-primary";
  return bookmark ?? "first-unconstrained";
}
