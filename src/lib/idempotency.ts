import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { idempotencyKeys } from "../../drizzle/schema";
import type { Db } from "../db/client";
import { rowsAffected } from "../db/results";
import { ApiError, ValidationError, conflict } from "./errors";
import { hmacSha256Hex, sha256Hex } from "./crypto";

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/**
 * A key still marked in progress after this long belongs to a request that died (a Worker can be
 * stopped between any two awaits): the same request may take it over and run again. Longer than a
 * gateway call may take (GATEWAY_TIMEOUT_MS); the operation itself keeps a rerun from charging twice.
 */
export const IDEMPOTENCY_LEASE_MS = 30_000;

const expired = (now: Date) => lt(idempotencyKeys.expiresAt, now);
/** Still in progress past the lease: its request died. */
const abandoned = (now: Date) =>
  and(isNull(idempotencyKeys.responseStatus), lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_LEASE_MS)));

export interface RecordedResponse {
  status: number;
  body: unknown;
}

/**
 * Names what one keyed request creates: the same for every run of that request (a takeover after it
 * died included) and new once the key expired and is used again. An operation that creates its rows
 * under this id finds what a dead run made instead of making it twice.
 */
export type OperationId = string;

export interface IdempotentRequest {
  userId: number;
  /** The operation, e.g. "payments.pay": the same key may be used once per operation. */
  scope: string;
  key: string;
  /** Everything that defines the request (path parameters and body). */
  payload: unknown;
  /** Keys the request hash: bodies can hold card data, and a plain SHA-256 of a card number is guessable. */
  secret: string;
}

/** JSON with object keys sorted at every level, so equal bodies hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const requestHash = (secret: string, payload: unknown) => hmacSha256Hex(secret, canonicalJson(payload));

/** A UUID (version 8: custom) derived from the record's identity and generation. */
async function operationId(request: IdempotentRequest, recordId: number, expiresAt: Date): Promise<OperationId> {
  const hex = (await sha256Hex(`${request.scope}:${recordId}:${expiresAt.getTime()}`)).slice(0, 32);
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** What a failed run answers, in the contract's shapes; null when the error must not be replayed. */
function recordableError(error: unknown): RecordedResponse | null {
  if (error instanceof ValidationError) return { status: 400, body: error.fields };
  if (error instanceof ApiError && error.status < 500) return { status: error.status, body: { detail: error.detail, code: error.code } };
  return null;
}

/**
 * Stripe's Idempotency-Key semantics. The first request with a key claims it (one INSERT decides
 * between concurrent ones) and its response, success or client error, is stored for 24 hours; the
 * same key and body replays it; a different body → 422; a request while the first still runs → 409.
 * A server error releases the key so the client can try again, and so does the lease when the
 * first request died without an answer.
 */
export async function idempotent(
  db: Db,
  request: IdempotentRequest,
  run: (operation: OperationId) => Promise<RecordedResponse>,
): Promise<RecordedResponse & { replayed: boolean }> {
  const hash = await requestHash(request.secret, request.payload);
  const now = new Date();
  const match = and(eq(idempotencyKeys.userId, request.userId), eq(idempotencyKeys.scope, request.scope), eq(idempotencyKeys.key, request.key));
  const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
  const fresh = { requestHash: hash, responseStatus: null, responseBody: null, createdAt: now, expiresAt };
  // Claim the key, taking over an expired record or the same request's abandoned one; read whichever record holds it, in one round trip.
  // created_at is when the current run claimed it (the lease); expires_at stays with the request, so a takeover keeps its operation id.
  const [claimed, [record]] = await db.batch([
    db
      .insert(idempotencyKeys)
      .values({ userId: request.userId, scope: request.scope, key: request.key, ...fresh })
      .onConflictDoUpdate({
        target: [idempotencyKeys.userId, idempotencyKeys.scope, idempotencyKeys.key],
        set: { ...fresh, expiresAt: sql`CASE WHEN ${expired(now)} THEN ${expiresAt.getTime()} ELSE ${idempotencyKeys.expiresAt} END` },
        setWhere: or(expired(now), and(abandoned(now), eq(idempotencyKeys.requestHash, hash))),
      }),
    db.select().from(idempotencyKeys).where(match),
  ]);

  if (rowsAffected(claimed) === 0) {
    if (record.requestHash !== hash) {
      throw new ApiError("idempotency_mismatch", "This Idempotency-Key was already used with a different request.");
    }
    if (record.responseStatus === null) {
      throw conflict("A request with this Idempotency-Key is still being processed.", "idempotency_in_progress");
    }
    return { status: record.responseStatus, body: JSON.parse(record.responseBody ?? "null"), replayed: true };
  }

  const store = (response: RecordedResponse) =>
    db.update(idempotencyKeys).set({ responseStatus: response.status, responseBody: JSON.stringify(response.body) }).where(eq(idempotencyKeys.id, record.id));
  let response: RecordedResponse;
  try {
    response = await run(await operationId(request, record.id, record.expiresAt));
  } catch (error) {
    const recorded = recordableError(error);
    await (recorded ? store(recorded) : db.delete(idempotencyKeys).where(eq(idempotencyKeys.id, record.id)));
    throw error;
  }
  await store(response);
  return { ...response, replayed: false };
}

/** Deletes idempotency records past their 24 hours or abandoned by a request that died; for the hourly cleanup job. */
export async function purgeExpiredIdempotencyKeys(db: Db, now: Date): Promise<number> {
  return rowsAffected(await db.delete(idempotencyKeys).where(or(expired(now), abandoned(now))));
}
