import type { ZodError } from "zod";

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

/** DRF-style validation errors: `{"field": ["message"], "non_field_errors": [...]}`. */
export class ValidationError extends Error {
  constructor(readonly fields: Record<string, string[]>) {
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

export function zodToFieldErrors(error: ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "non_field_errors";
    const message = humanMessage(issue);
    (fields[key] ??= []).includes(message) || fields[key].push(message);
  }
  return fields;
}

function humanMessage(issue: ZodError["issues"][number]): string {
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
    return "This field is required.";
  }
  if (issue.code === "unrecognized_keys") return `Unknown field(s): ${issue.keys.join(", ")}.`;
  return issue.message;
}
