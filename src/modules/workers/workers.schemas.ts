import { z } from "@hono/zod-openapi";
import { formatCents, moneyInput } from "../../lib/money";
import { paginationQuery } from "../../lib/pagination";
import { iso } from "../../lib/time";
import { idSchema } from "../../lib/openapi";
import { publicUserSchema, toPublicUserDto, type PublicUserRow } from "../accounts/accounts.schemas";

export const workerProfileSchema = z
  .object({
    id: z.number().int(),
    user: publicUserSchema.openapi({ description: "The public view: the directory shows no contact fields" }),
    bio: z.string(),
    experience_years: z.number().int(),
    hourly_rate: z.string().nullable().openapi({ example: "45.00" }),
    rating: z.string().openapi({ example: "4.50" }),
    reviews_count: z.number().int(),
    is_available: z.boolean(),
    specializations: z.array(z.number().int()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("WorkerProfile");

export interface WorkerProfileRow {
  id: number;
  bio: string;
  experienceYears: number;
  hourlyRateCents: number | null;
  ratingHundredths: number;
  reviewsCount: number;
  isAvailable: boolean;
  createdAt: Date;
  updatedAt: Date;
  specializations: string;
  user: PublicUserRow;
}

export const toWorkerProfileDto = (row: WorkerProfileRow): z.infer<typeof workerProfileSchema> => ({
  id: row.id,
  user: toPublicUserDto(row.user),
  bio: row.bio,
  experience_years: row.experienceYears,
  hourly_rate: row.hourlyRateCents === null ? null : formatCents(row.hourlyRateCents),
  rating: formatCents(row.ratingHundredths),
  reviews_count: row.reviewsCount,
  is_available: row.isAvailable,
  specializations: (JSON.parse(row.specializations) as number[]).sort((a, b) => a - b),
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
});

const WORKER_ORDERINGS = ["rating", "-rating", "experience_years", "-experience_years", "hourly_rate", "-hourly_rate"] as const;

const rating = z
  .string()
  .regex(/^\d(\.\d{1,2})?$/, "Enter a rating between 0 and 5.")
  .transform((v) => Math.round(Number(v) * 100))
  .refine((v) => v <= 500, "Enter a rating between 0 and 5.");

export const workersQuery = paginationQuery.extend({
  service: idSchema.optional().openapi({ type: "integer" }),
  category: idSchema.optional().openapi({ type: "integer" }),
  available: z.enum(["true", "false"]).optional(),
  min_rating: rating.optional().openapi({ type: "string", example: "4.0" }),
  ordering: z.enum(WORKER_ORDERINGS).optional(),
});

export type WorkersQuery = z.infer<typeof workersQuery>;

/** What a worker may change on their own profile; `rating` and `reviews_count` are never writable. */
export const workerUpdateBody = z
  .object({
    bio: z.string().max(2000).optional(),
    experience_years: z.number().int().min(0).max(80).optional(),
    hourly_rate: moneyInput.nullable().optional(),
    is_available: z.boolean().optional(),
    specializations: z.array(z.number().int().positive()).max(100).optional(),
  })
  .openapi("WorkerProfileUpdate");

export type WorkerUpdate = z.infer<typeof workerUpdateBody>;
