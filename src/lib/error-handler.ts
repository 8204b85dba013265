import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../context";
import { errorChainText } from "../db/results";
import { ApiError, ValidationError } from "./errors";
import { logEvent } from "./log";

// D1's and libSQL's ways of saying "not now": lock contention, a lost connection, an overloaded or
// timed-out D1, and a Turso edge answering 429/502/503/504.
const TRANSIENT_DB_ERROR =
  /SQLITE_BUSY|database is locked|Network connection lost|D1_ERROR: (?:.*overloaded|.*timed? ?out)|storage operation exceeded|SERVER_ERROR: Server returned HTTP status (?:429|502|503|504)/i;

function fromHttpException(error: HTTPException): ApiError {
  if (error.status === 413) return new ApiError("payload_too_large", "Request body is too large.");
  if (/content-type/i.test(error.message)) {
    return new ApiError("unsupported_media_type", "Unsupported media type; send application/json.");
  }
  if (/json/i.test(error.message)) return new ApiError("parse_error", "JSON parse error: the body is not valid JSON.");
  return new ApiError(error.status === 401 ? "not_authenticated" : "parse_error", error.message || "Bad request.");
}

/** The single place errors become responses in the contract's shapes. */
export const handleError: ErrorHandler<AppEnv> = (error, c: Context<AppEnv>) => {
  if (error instanceof ValidationError) return c.json(error.fields, 400);
  const apiError =
    error instanceof ApiError ? error : error instanceof HTTPException ? fromHttpException(error) : null;
  if (apiError) {
    for (const [name, value] of Object.entries(apiError.headers)) c.header(name, value);
    return c.json({ detail: apiError.detail, code: apiError.code }, apiError.status as 400);
  }
  const requestId = c.get("ctx")?.requestId;
  const text = errorChainText(error);
  logEvent("error", { request_id: requestId, route: c.req.routePath, method: c.req.method, error: text });
  if (TRANSIENT_DB_ERROR.test(text)) {
    c.header("Retry-After", "1");
    return c.json(
      { detail: "The database is temporarily unavailable; retry shortly.", code: "service_unavailable", request_id: requestId },
      503,
    );
  }
  return c.json({ detail: "A server error occurred.", code: "server_error", request_id: requestId }, 500);
};
