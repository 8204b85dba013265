import type { ZodError } from "zod";
import { humanMessage } from "./validation-messages";

export type ErrorCode =
  | "not_authenticated"
  | "authentication_failed"
  | "permission_denied"
  | "not_found"
  | "conflict"
  | "invalid_transition"
  | "rate_limited"
  | "idempotency_mismatch"
  | "idempotency_in_progress"
  | "payment_failed"
  | "refund_failed"
  | "parse_error"
  | "unsupported_media_type"
  | "payload_too_large"
  | "method_not_allowed"
  | "service_unavailable"
  | "upgrade_required"
  | "server_error";

/** The one error type of the API: thrown anywhere, rendered by the app's onError. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** Messages per field; a nested object's or list's fields nested the same way. */
export type FieldErrors = { [field: string]: string[] | FieldErrors };

/** DRF-style validation errors: `{"field": ["message"], "non_field_errors": [...]}`. */
export class ValidationError extends Error {
  constructor(readonly fields: FieldErrors) {
    super("Validation failed");
  }

  static field(name: string, message: string): ValidationError {
    return new ValidationError({ [name]: [message] });
  }
}

export const notFound = (detail = "Not found.") => new ApiError(404, "not_found", detail);
export const forbidden = (detail = "You do not have permission to perform this action.") =>
  new ApiError(403, "permission_denied", detail);
export const conflict = (detail: string, code: ErrorCode = "conflict") => new ApiError(409, code, detail);

/**
 * DRF's shape: messages under their field, nested fields nested (`{"card_expiry": {"month": [...]}}`,
 * `{"specializations": {"0": [...]}}`), body-level ones under `non_field_errors`.
 */
export function zodToFieldErrors(error: ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const path = issue.path.length ? issue.path.map(String) : ["non_field_errors"];
    let node = fields;
    for (const key of path.slice(0, -1)) {
      const child = node[key];
      node = child && !Array.isArray(child) ? child : (node[key] = {});
    }
    const leaf = path[path.length - 1];
    const existing = node[leaf];
    const messages = Array.isArray(existing) ? existing : (node[leaf] = []);
    const message = humanMessage(issue);
    if (!messages.includes(message)) messages.push(message);
  }
  return fields;
}
