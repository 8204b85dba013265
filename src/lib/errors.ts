import type { ZodError } from "zod";
import { humanMessage } from "./validation-messages";

/**
 * Every error code the API answers with, and its HTTP status: a code always means the same status,
 * so callers test codes, never statuses, and no call site can pair them differently.
 */
export const ERROR_STATUS = {
  parse_error: 400,
  invalid_signature: 400,
  refund_failed: 400,
  not_authenticated: 401,
  permission_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  invalid_transition: 409,
  idempotency_in_progress: 409,
  already_reviewed: 409,
  order_not_completed: 409,
  review_window_closed: 409,
  conversation_closed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_mismatch: 422,
  upgrade_required: 426,
  rate_limited: 429,
  server_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** The one error type of the API: thrown anywhere, rendered by the app's onError. */
export class ApiError extends Error {
  readonly status: (typeof ERROR_STATUS)[ErrorCode];

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = ERROR_STATUS[code];
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

export const notFound = (detail = "Not found.") => new ApiError("not_found", detail);
export const forbidden = (detail = "You do not have permission to perform this action.") =>
  new ApiError("permission_denied", detail);
export const conflict = (detail: string, code: "conflict" | "invalid_transition" | "idempotency_in_progress" = "conflict") => new ApiError(code, detail);

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
      if (!child || Array.isArray(child)) node[key] = {};
      node = node[key] as FieldErrors;
    }
    const leaf = path[path.length - 1];
    if (!Array.isArray(node[leaf])) node[leaf] = [];
    const messages = node[leaf] as string[];
    const message = humanMessage(issue);
    if (!messages.includes(message)) messages.push(message);
  }
  return fields;
}
