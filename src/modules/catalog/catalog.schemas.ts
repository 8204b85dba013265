import { z } from "@hono/zod-openapi";
import { formatCents, moneyInput, moneyOutput } from "../../lib/money";
import { idSchema } from "../../lib/openapi";
import { paginationQuery } from "../../lib/pagination";
import { iso } from "../../lib/time";
import { publicUserSchema, toPublicUserDto, type PublicUserRow } from "../accounts/accounts.schemas";

// ── Output ────────────────────────────────────────────────────────────────────────────────────

export const categorySchema = z
  .object({ id: z.number().int(), name: z.string(), description: z.string(), icon: z.string() })
  .openapi("Category");

export type CategoryDto = z.infer<typeof categorySchema>;

export interface CategoryRow {
  id: number;
  name: string;
  description: string;
  icon: string;
}

export const toCategoryDto = (c: CategoryRow): CategoryDto => ({
  id: c.id,
  name: c.name,
  description: c.description,
  icon: c.icon,
});

export const serviceSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    category: categorySchema,
    base_price: moneyOutput,
    duration_hours: z.number().int(),
    is_active: z.boolean(),
    worker: publicUserSchema.openapi({
      description: "The worker who created and owns the service, in the public view whoever asks (catalog answers are shared at the edge)",
    }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Service");

export type ServiceDto = z.infer<typeof serviceSchema>;

/** A service with its category and owner, as selected by `serviceColumns` (service-select.ts). */
export interface ServiceRow {
  id: number;
  name: string;
  description: string;
  basePriceCents: number;
  durationHours: number;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
  category: CategoryRow;
  worker: PublicUserRow;
}

export const toServiceDto = (s: ServiceRow): ServiceDto => ({
  id: s.id,
  name: s.name,
  description: s.description,
  category: toCategoryDto(s.category),
  base_price: formatCents(s.basePriceCents),
  duration_hours: s.durationHours,
  is_active: s.isActive,
  worker: toPublicUserDto(s.worker),
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
});

// ── Input ─────────────────────────────────────────────────────────────────────────────────────

const text = (max: number) =>
  z.string().trim().max(max, `Ensure this field has no more than ${max} characters.`);
const requiredText = (max: number) => text(max).min(1, "This field may not be blank.");

export const categoryBody = z
  .object({ name: requiredText(100), description: text(1000).optional(), icon: text(100).optional() })
  .openapi("CategoryRequest");

export const categoryPatchBody = categoryBody.partial().openapi("PatchedCategoryRequest");

export type CategoryInput = z.infer<typeof categoryPatchBody>;

const durationHours = z
  .number({ error: "A valid integer is required." })
  .int("A valid integer is required.")
  .min(1, "Ensure this value is greater than or equal to 1.")
  .max(1000, "Ensure this value is less than or equal to 1000.");

/** The writable fields; the owner (`worker`) is the creator and never taken from a body. */
export const serviceBody = z
  .object({
    name: requiredText(200),
    description: requiredText(5000),
    category_id: z.number({ error: "A valid integer is required." }).int().positive("A valid integer is required."),
    base_price: moneyInput,
    duration_hours: durationHours.optional(),
    is_active: z.boolean().optional(),
  })
  .openapi("ServiceRequest");

export type ServiceCreate = z.infer<typeof serviceBody>;

export const servicePatchBody = serviceBody.partial().openapi("PatchedServiceRequest");

export type ServiceInput = z.infer<typeof servicePatchBody>;

export const SERVICE_ORDERINGS = ["price", "-price", "created_at", "-created_at"] as const;

export const servicesQuery = paginationQuery.extend({
  category: idSchema.optional().openapi({ type: "integer" }),
  worker: idSchema
    .optional()
    .openapi({ type: "integer", description: "Owner's user id; the owner also sees their inactive services" }),
  min_price: moneyInput.optional(),
  max_price: moneyInput.optional(),
  search: z.string().max(200, "Ensure this field has no more than 200 characters.").optional(),
  ordering: z.enum(SERVICE_ORDERINGS).optional().openapi({ description: "Default: -created_at" }),
});

export type ServicesQuery = z.infer<typeof servicesQuery>;
