import { z } from "@hono/zod-openapi";
import { ORDER_STATUSES, type OrderStatus } from "../../../drizzle/schema";
import { formatCents, moneyOutput } from "../../lib/money";
import { paginationQuery } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import type { AuthUser } from "../../lib/auth-user";
import { publicUserSchema, toPublicUserDto, toUserDto, userSchema, type UserRow } from "../accounts/accounts.schemas";
import { serviceSchema, toServiceDto, type ServiceRow } from "../catalog/catalog.schemas";
import { escrowSchema, toEscrowDto } from "./order-escrow";
import { seesAddressOf, seesContactsOf } from "./order-visibility";

// ── Output ────────────────────────────────────────────────────────────────────────────────────

const dateTime = z.string().openapi({ format: "date-time" });
const PARTY_VIEW = "User (with email and phone) for that user, admins, and the other party once a worker is assigned; PublicUser otherwise.";
const orderUser = z.union([userSchema, publicUserSchema]).openapi({ description: PARTY_VIEW });
/** `.nullable()` documents `allOf: [..., {type: [object, null]}]`, which no null satisfies; a union documents `anyOf: [..., null]`. */
const orderUserOrNull = z.union([userSchema, publicUserSchema, z.null()]);

const statusHistorySchema = z
  .object({
    id: z.number().int(),
    status: z.enum(ORDER_STATUSES),
    comment: z.string(),
    created_by: orderUserOrNull.openapi({ description: `${PARTY_VIEW} null for changes made by the system (payments).` }),
    created_at: dateTime,
  })
  .openapi("OrderStatusHistory");

/** How workers rated the client (published, visible reviews), for a worker deciding whether to take the order. */
const clientRatingSchema = z
  .object({ rating: z.string().openapi({ example: "4.50" }), reviews_count: z.number().int() })
  .openapi("ClientRating", { description: "0.00 and 0 until a worker's review of this client is published" });

export const orderSchema = z
  .object({
    id: z.number().int(),
    service: serviceSchema,
    client: orderUser,
    client_rating: clientRatingSchema,
    worker: orderUserOrNull.openapi({ description: `${PARTY_VIEW} null until a worker is assigned.` }),
    description: z.string(),
    address: z.string().nullable().openapi({ description: "null for a worker viewing an open order it is not assigned to" }),
    scheduled_date: dateTime,
    quantity: z.number().int(),
    total_price: moneyOutput,
    status: z.enum(ORDER_STATUSES),
    status_history: z.array(statusHistorySchema),
    created_at: dateTime,
    updated_at: dateTime,
    completed_at: dateTime.nullable(),
    escrow: escrowSchema.nullable().openapi({ description: "The money held for this order from payment until it is released to the worker; null before payment" }),
  })
  .openapi("Order");

export type OrderDto = z.infer<typeof orderSchema>;

/** An order in the list, with how many messages of its conversation the caller has not read. */
export const orderListItemSchema = orderSchema
  .extend({ unread_messages: z.number().int().openapi({ description: "Messages of the other participants the caller has not read" }) })
  .openapi("OrderListItem");

/** One history entry as the JSON subquery of order-queries.ts builds it (raw SQLite values). */
interface HistoryJson {
  id: number;
  status: OrderStatus;
  comment: string;
  created_at: number;
  /** The author's userColumns; all null for a system entry. */
  created_by: Omit<UserRow, "id" | "isVerified" | "dateJoined"> & { id: number | null; isVerified: 0 | 1; dateJoined: number };
}

export interface OrderRow {
  id: number;
  description: string;
  address: string;
  scheduledDate: Date;
  quantity: number;
  totalPriceCents: number;
  status: OrderStatus;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  service: ServiceRow;
  client: UserRow;
  worker: UserRow | null;
  /** JSON array of HistoryJson. */
  history: string;
  /** From client_ratings; null while the client has no published review. */
  clientRatingHundredths: number | null;
  clientReviewsCount: number | null;
  /** The escrow row as JSON (order-escrow.ts), null before payment. */
  escrow: string | null;
}

const historyAuthor = ({ id, isVerified, dateJoined, ...rest }: HistoryJson["created_by"]): UserRow | null =>
  id === null ? null : { ...rest, id, isVerified: isVerified === 1, dateJoined: new Date(dateJoined) };

/** The order as `viewer` may see it: contact fields and the address only where they are entitled to them. */
export function toOrderDto(o: OrderRow, viewer: AuthUser): OrderDto {
  const parties = { clientId: o.client.id, workerId: o.worker?.id ?? null };
  const shown = (u: UserRow) => (seesContactsOf(viewer, parties, u.id) ? toUserDto(u) : toPublicUserDto(u));
  const history = (JSON.parse(o.history) as HistoryJson[]).sort((a, b) => a.id - b.id);
  return {
    id: o.id,
    service: toServiceDto(o.service),
    client: shown(o.client),
    client_rating: { rating: formatCents(o.clientRatingHundredths ?? 0), reviews_count: o.clientReviewsCount ?? 0 },
    worker: o.worker ? shown(o.worker) : null,
    description: o.description,
    address: seesAddressOf(viewer, parties) ? o.address : null,
    scheduled_date: iso(o.scheduledDate),
    quantity: o.quantity,
    total_price: formatCents(o.totalPriceCents),
    status: o.status,
    status_history: history.map((h) => {
      const author = historyAuthor(h.created_by);
      const createdBy = author && shown(author);
      return { id: h.id, status: h.status, comment: h.comment, created_by: createdBy, created_at: iso(new Date(h.created_at)) };
    }),
    created_at: iso(o.createdAt),
    updated_at: iso(o.updatedAt),
    completed_at: isoOrNull(o.completedAt),
    escrow: toEscrowDto(o.escrow, { isParty: seesAddressOf(viewer, parties), isAdmin: viewer.role === "admin" }),
  };
}

// ── Input ─────────────────────────────────────────────────────────────────────────────────────

const requiredText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "This field may not be blank.")
    .max(max, `Ensure this field has no more than ${max} characters.`);

const relatedId = z
  .number({ error: "A valid integer is required." })
  .int("A valid integer is required.")
  .positive("A valid integer is required.");

const statusEnum = z.enum(ORDER_STATUSES, { error: `Choose one of: ${ORDER_STATUSES.join(", ")}.` });

/** ISO-8601 with a `Z` or offset (a bare local time is read as UTC); must lie in the future. */
const futureDateTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.datetime({ local: true })], {
    error: "Datetime has wrong format. Use ISO 8601, e.g. 2030-01-31T09:00:00Z.",
  })
  .transform((value) => new Date(/(Z|[+-]\d\d:?\d\d)$/i.test(value) ? value : `${value}Z`))
  .refine((date) => date.getTime() > Date.now(), "The scheduled date must be in the future.")
  .openapi({ type: "string", format: "date-time", example: "2030-01-31T09:00:00Z" });

/**
 * What a client may send. The price, status and worker are never read from the body: unknown keys
 * (`total_price`, `status`, `worker`) are dropped.
 */
export const createOrderBody = z
  .object({
    service_id: relatedId.optional(),
    service: relatedId.optional().openapi({ description: "Alias of service_id" }),
    description: requiredText(5000),
    address: requiredText(500),
    scheduled_date: futureDateTime,
    quantity: z
      .number({ error: "A valid integer is required." })
      .int("A valid integer is required.")
      .min(1, "Ensure this value is greater than or equal to 1.")
      .max(100, "Ensure this value is less than or equal to 100.")
      .default(1),
  })
  .superRefine((body, ctx) => {
    if (body.service_id === undefined && body.service === undefined) {
      ctx.addIssue({ code: "custom", path: ["service_id"], message: "This field is required." });
    }
  })
  .openapi("OrderCreateRequest", { anyOf: [{ type: "object", required: ["service_id"] }, { type: "object", required: ["service"] }] });

export type OrderCreate = z.infer<typeof createOrderBody>;

export const assignOrderBody = z
  .object({
    worker_id: relatedId.optional().openapi({ description: "Required for admins; a worker assigns themselves" }),
  })
  .openapi("OrderAssignRequest");

export type OrderAssign = z.infer<typeof assignOrderBody>;

export const orderStatusBody = z
  .object({
    status: statusEnum,
    comment: z.string().trim().max(1000, "Ensure this field has no more than 1000 characters.").optional(),
  })
  .openapi("OrderStatusRequest");

export type OrderStatusChange = z.infer<typeof orderStatusBody>;

export const ordersQuery = paginationQuery.extend({ status: statusEnum.optional() });
