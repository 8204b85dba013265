import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { ApiError, ValidationError } from "./errors";

/** An unpaired UTF-16 surrogate (`"\ud800"` in JSON): with the `u` flag a valid pair is one astral code point, not a surrogate. */
const LONE_SURROGATE = /\p{Cs}/u;
const MESSAGE = "Must be well-formed Unicode text (no unpaired surrogates).";

function isMalformed(value: unknown): boolean {
  if (typeof value === "string") return LONE_SURROGATE.test(value);
  if (!value || typeof value !== "object") return false;
  return Object.entries(value).some(([key, child]) => LONE_SURROGATE.test(key) || isMalformed(child));
}

/** The top-level field holding the first malformed string or key (`non_field_errors` for a body that isn't an object); null if none. */
function malformedField(body: unknown): string | null {
  if (!body || typeof body !== "object" || Array.isArray(body)) return isMalformed(body) ? "non_field_errors" : null;
  for (const [key, value] of Object.entries(body)) if (LONE_SURROGATE.test(key) || isMalformed(value)) return key;
  return null;
}

/**
 * Text the database can't store as sent is refused, not rewritten: invalid UTF-8 would become
 * U+FFFD and a lone surrogate three of them, silently changing what was sent and breaking length limits.
 */
export const wellFormedJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.req.raw.body || !/^application\/(?:[\w.+-]+\+)?json\b/i.test(c.req.header("Content-Type") ?? "")) return next();
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await c.req.arrayBuffer());
  } catch {
    throw new ApiError("parse_error", "The body is not valid UTF-8.");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return next(); // the route's validator answers malformed JSON
  }
  const field = malformedField(body);
  if (field) throw ValidationError.field(field, MESSAGE);
  return next();
};
