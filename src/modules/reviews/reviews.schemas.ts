import { z } from "@hono/zod-openapi";
import { REVIEW_AUTHOR_ROLES } from "../../../drizzle/schema";
import type { AuthUser } from "../../lib/auth-user";
import { paginationQuery } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import { publicUserSchema, toPublicUserDto, type PublicUserRow } from "../accounts/accounts.schemas";

const dateTime = z.string().openapi({ format: "date-time" });

// ── Input ─────────────────────────────────────────────────────────────────────────────────────

/** What a party writes: the author, the subject and the order come from the order, never the body. */
export const reviewCreateBody = z
  .strictObject({
    rating: z
      .number({ error: "A valid integer is required." })
      .int("A valid integer is required.")
      .min(1, "Ensure this value is greater than or equal to 1.")
      .max(5, "Ensure this value is less than or equal to 5."),
    comment: z.string().trim().max(2000, "Ensure this field has no more than 2000 characters.").optional(),
  })
  .openapi("ReviewCreateRequest");

export type ReviewCreate = z.infer<typeof reviewCreateBody>;

export const reviewHideBody = z
  .strictObject({
    reason: z
      .string({ error: "This field is required." })
      .trim()
      .min(1, "This field may not be blank.")
      .max(500, "Ensure this field has no more than 500 characters."),
  })
  .openapi("ReviewHideRequest");

export type ReviewHide = z.infer<typeof reviewHideBody>;

export const reviewsQuery = paginationQuery;

// ── Output ────────────────────────────────────────────────────────────────────────────────────

const REVIEW_STATUSES = ["pending", "published", "hidden"] as const;
type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const orderReviewSchema = z
  .object({
    id: z.number().int(),
    order_id: z.number().int(),
    author_role: z.enum(REVIEW_AUTHOR_ROLES).openapi({ description: "client: a review of the worker; worker: a review of the client" }),
    author: publicUserSchema,
    subject: publicUserSchema,
    status: z.enum(REVIEW_STATUSES).openapi({
      description: "pending until both parties have reviewed or the review window closes; hidden by a moderator",
    }),
    rating: z.number().int().nullable().openapi({ description: "null for the other party while pending (double-blind)" }),
    comment: z.string().nullable().openapi({ description: "null for the other party while pending (double-blind)" }),
    created_at: dateTime,
    publish_due_at: dateTime.openapi({ description: "When the review window closes and the review is published at the latest" }),
    published_at: dateTime.nullable(),
    hidden_reason: z.string().nullable().openapi({ description: "The moderator's reason, for the author and admins only" }),
  })
  .openapi("OrderReview");

export type OrderReviewDto = z.infer<typeof orderReviewSchema>;

export const publicReviewSchema = z
  .object({
    id: z.number().int(),
    author: publicUserSchema,
    rating: z.number().int(),
    comment: z.string(),
    published_at: dateTime,
  })
  .openapi("PublicReview");

export interface ReviewRow {
  id: number;
  orderId: number;
  authorRole: "client" | "worker";
  rating: number;
  comment: string;
  createdAt: Date;
  publishDueAt: Date;
  publishedAt: Date | null;
  hiddenAt: Date | null;
  hiddenReason: string | null;
  author: PublicUserRow;
  subject: PublicUserRow;
}

const statusOf = (row: ReviewRow): ReviewStatus => (row.hiddenAt ? "hidden" : row.publishedAt ? "published" : "pending");

/**
 * A review as `viewer` may see it on its order: the author and admins see everything; the other
 * party sees the content only once published (a hidden review never reaches them, see the query).
 */
export function toOrderReviewDto(row: ReviewRow, viewer: AuthUser): OrderReviewDto {
  const privileged = viewer.role === "admin" || viewer.id === row.author.id;
  const status = statusOf(row);
  const showContent = privileged || status === "published";
  return {
    id: row.id,
    order_id: row.orderId,
    author_role: row.authorRole,
    author: toPublicUserDto(row.author),
    subject: toPublicUserDto(row.subject),
    status,
    rating: showContent ? row.rating : null,
    comment: showContent ? row.comment : null,
    created_at: iso(row.createdAt),
    publish_due_at: iso(row.publishDueAt),
    published_at: isoOrNull(row.publishedAt),
    hidden_reason: privileged ? row.hiddenReason : null,
  };
}

export interface PublicReviewRow {
  id: number;
  rating: number;
  comment: string;
  publishedAt: Date | null;
  author: PublicUserRow;
}

export const toPublicReviewDto = (row: PublicReviewRow): z.infer<typeof publicReviewSchema> => ({
  id: row.id,
  author: toPublicUserDto(row.author),
  rating: row.rating,
  comment: row.comment,
  published_at: iso(row.publishedAt ?? new Date(0)),
});
