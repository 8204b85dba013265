import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import { ERROR_CODES, ValidationError, zodToFieldErrors } from "./errors";

/** Every module router: DRF-style 400s from any failed validation. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ValidationError(zodToFieldErrors(result.error));
    },
  });
}

export const errorSchema = z
  .object({ detail: z.string(), code: z.enum(ERROR_CODES), request_id: z.string().optional() })
  .openapi("Error");

/** Messages per field; a nested object's or list's errors are an object of the same shape (`{"card_expiry": {"month": [...]}}`). */
const validationErrorSchema = z
  .record(z.string(), z.union([z.array(z.string()), z.record(z.string(), z.unknown())]))
  .openapi("ValidationError", { example: { username: ["This field is required."], specializations: { "0": ["A valid integer is required."] } } });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input (field errors) or malformed request",
  401: "Missing, invalid or expired access token",
  403: "The caller's role may not do this",
  404: "Not found, or not visible to the caller",
  409: "Conflicting state (e.g. invalid transition, lost race)",
  413: "Request body too large",
  415: "Body is not JSON",
  422: "Idempotency key reused with a different body",
  429: "Rate limited; see Retry-After",
  503: "A dependency is unavailable",
};

/** OpenAPI response entries for the listed error statuses. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: ERROR_DESCRIPTIONS[status] ?? "Error",
        content: {
          "application/json": {
            schema: status === 400 ? z.union([validationErrorSchema, errorSchema]) : errorSchema,
          },
        },
      },
    ]),
  );
}

/** A JSON request body that must be present (so a wrong content type cannot skip validation). */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

export const bearerSecurity = [{ bearerAuth: [] }];

/** A positive integer path/query id; anything else is a 400 naming the parameter. */
export const idSchema = z
  .string()
  .regex(/^\d{1,15}$/, "A valid integer is required.")
  .transform(Number)
  .refine((n) => n >= 1, "A valid integer is required.");

export const idParams = z.object({
  id: idSchema.openapi({ param: { name: "id", in: "path" }, type: "integer", example: 1 }),
});
