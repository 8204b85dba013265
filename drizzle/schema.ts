import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Integer milliseconds, filled in with "now" on insert. */
const timestampNow = (name: string) =>
  integer(name, { mode: "timestamp_ms" })
    .notNull()
    .$defaultFn(() => new Date());
const createdAt = () => timestampNow("created_at");
const updatedAt = () => timestampNow("updated_at");

export const ROLES = ["client", "worker", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    email: text("email").notNull().default(""),
    firstName: text("first_name").notNull().default(""),
    lastName: text("last_name").notNull().default(""),
    role: text("role", { enum: ROLES }).notNull().default("client"),
    phone: text("phone").notNull().default(""),
    isVerified: integer("is_verified", { mode: "boolean" }).notNull().default(false),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    /** `pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>`: algorithm and parameters travel with the hash. */
    passwordHash: text("password_hash").notNull(),
    dateJoined: timestampNow("date_joined"),
  },
  (t) => [uniqueIndex("users_username_unique").on(sql`lower(${t.username})`), index("users_role_idx").on(t.role)],
);

export const workerProfiles = sqliteTable(
  "worker_profiles",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    bio: text("bio").notNull().default(""),
    experienceYears: integer("experience_years").notNull().default(0),
    hourlyRateCents: integer("hourly_rate_cents"),
    /** Average rating × 100 (0..500), shown as "4.50". */
    ratingHundredths: integer("rating_hundredths").notNull().default(0),
    reviewsCount: integer("reviews_count").notNull().default(0),
    isAvailable: integer("is_available", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("worker_profiles_user_unique").on(t.userId),
    index("worker_profiles_rating_idx").on(t.ratingHundredths),
  ],
);

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    familyId: text("family_id").notNull(),
    /** SHA-256 of the opaque token; the token itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    rotatedAt: integer("rotated_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_unique").on(t.tokenHash),
    index("refresh_tokens_family_idx").on(t.familyId),
    index("refresh_tokens_expires_idx").on(t.expiresAt),
  ],
);

export const categories = sqliteTable(
  "categories",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    icon: text("icon").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("categories_name_unique").on(sql`lower(${t.name})`)],
);

export const services = sqliteTable(
  "services",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    categoryId: integer("category_id")
      .notNull()
      .references(() => categories.id, { onDelete: "restrict" }),
    workerId: integer("worker_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    basePriceCents: integer("base_price_cents").notNull(),
    durationHours: integer("duration_hours").notNull().default(1),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("services_active_created_idx").on(t.isActive, t.createdAt),
    index("services_active_price_idx").on(t.isActive, t.basePriceCents),
    index("services_category_idx").on(t.categoryId, t.isActive, t.createdAt),
    index("services_category_price_idx").on(t.categoryId, t.isActive, t.basePriceCents),
    index("services_worker_idx").on(t.workerId, t.isActive, t.createdAt),
  ],
);

export const workerSpecializations = sqliteTable(
  "worker_specializations",
  {
    workerProfileId: integer("worker_profile_id")
      .notNull()
      .references(() => workerProfiles.id, { onDelete: "cascade" }),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.workerProfileId, t.serviceId] }),
    index("worker_specializations_service_idx").on(t.serviceId),
  ],
);

export const ORDER_STATUSES = ["pending", "paid", "in_progress", "completed", "canceled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const orders = sqliteTable(
  "orders",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "restrict" }),
    clientId: integer("client_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    workerId: integer("worker_id").references(() => users.id, { onDelete: "set null" }),
    description: text("description").notNull(),
    address: text("address").notNull(),
    scheduledDate: integer("scheduled_date", { mode: "timestamp_ms" }).notNull(),
    quantity: integer("quantity").notNull().default(1),
    totalPriceCents: integer("total_price_cents").notNull(),
    status: text("status", { enum: ORDER_STATUSES }).notNull().default("pending"),
    /** Set when a paid order was canceled and its refund still has to go through the gateway. */
    refundOwed: integer("refund_owed", { mode: "boolean" }).notNull().default(false),
    /**
     * A new order is announced to qualified workers off the request, in chunks by worker id: those
     * with a greater id are still to be told (0: all of them); null once all were.
     */
    announceAfter: integer("announce_after"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("orders_client_idx").on(t.clientId, t.createdAt),
    index("orders_worker_idx").on(t.workerId, t.createdAt),
    index("orders_status_idx").on(t.status, t.createdAt),
    index("orders_service_idx").on(t.serviceId),
    index("orders_announcing_idx").on(t.createdAt).where(sql`announce_after IS NOT NULL`),
  ],
);

export const orderStatusHistory = sqliteTable(
  "order_status_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    status: text("status", { enum: ORDER_STATUSES }).notNull(),
    comment: text("comment").notNull().default(""),
    createdById: integer("created_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("order_status_history_order_idx").on(t.orderId, t.id)],
);

export const PAYMENT_STATUSES = [
  "processing",
  "completed",
  "failed",
  "refunded",
  "partially_refunded",
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull().default("USD"),
    paymentMethod: text("payment_method").notNull(),
    gateway: text("gateway").notNull(),
    status: text("status", { enum: PAYMENT_STATUSES }).notNull(),
    gatewayTransactionId: text("gateway_transaction_id"),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    retryable: integer("retryable", { mode: "boolean" }).notNull().default(false),
    attempts: integer("attempts").notNull().default(1),
    nextRetryAt: integer("next_retry_at", { mode: "timestamp_ms" }),
    refundedAmountCents: integer("refunded_amount_cents").notNull().default(0),
    cardBrand: text("card_brand"),
    cardLast4: text("card_last4"),
    /** The gateway's reusable reference for retries (sandbox token or Stripe PaymentMethod id), never card data. */
    gatewayPaymentMethod: text("gateway_payment_method"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    processedAt: integer("processed_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    // At most one live (in flight or successful) payment per order: the database, not a
    // read-then-write check, decides the winner of concurrent pay requests.
    uniqueIndex("payments_one_live_per_order")
      .on(t.orderId)
      .where(sql`status IN ('processing', 'completed', 'refunded', 'partially_refunded')`),
    index("payments_user_idx").on(t.userId, t.createdAt),
    index("payments_order_idx").on(t.orderId),
    index("payments_retry_idx").on(t.retryable, t.nextRetryAt),
    index("payments_gateway_tx_idx").on(t.gatewayTransactionId),
  ],
);

export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    paymentId: text("payment_id")
      .notNull()
      .references(() => payments.id, { onDelete: "cascade" }),
    amountCents: integer("amount_cents").notNull(),
    reason: text("reason").notNull().default(""),
    gatewayRefundId: text("gateway_refund_id"),
    createdById: integer("created_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("refunds_payment_idx").on(t.paymentId)],
);

export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id").notNull(),
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("idempotency_keys_unique").on(t.userId, t.scope, t.key),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
  ],
);

export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  processedAt: timestampNow("processed_at"),
});

export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Groups the rows one domain event created (one per recipient), so the push job can find them. */
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    notificationType: text("notification_type"),
    orderId: integer("order_id"),
    paymentId: text("payment_id"),
    message: text("message").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    read: integer("read", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index("notifications_user_idx").on(t.userId, t.id),
    index("notifications_order_idx").on(t.orderId),
    index("notifications_event_idx").on(t.eventId),
  ],
);

export const paymentReports = sqliteTable("payment_reports", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  reportDate: text("report_date").notNull().unique(),
  data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
});

export const failedJobs = sqliteTable(
  "failed_jobs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    messageId: text("message_id").notNull(),
    jobType: text("job_type").notNull(),
    payload: text("payload").notNull(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    failedAt: timestampNow("failed_at"),
  },
  (t) => [uniqueIndex("failed_jobs_message_unique").on(t.messageId)],
);

/**
 * Never holds a row: a batch writes into it only to abort itself (see src/db/guards.ts). Each column
 * refuses any value under a named CHECK, so the error says which guard fired.
 */
export const batchGuards = sqliteTable(
  "batch_guards",
  {
    order: integer("order_guard"),
    payment: integer("payment_guard"),
    escrow: integer("escrow_guard"),
  },
  (t) => [
    check("order_guard", sql`${t.order} IS NULL`),
    check("payment_guard", sql`${t.payment} IS NULL`),
    check("escrow_guard", sql`${t.escrow} IS NULL`),
  ],
);

// ── Escrow, payouts and the ledger (migrations/0009_escrow_ledger.sql, which also holds the triggers) ──

export const ESCROW_STATUSES = ["held", "disputed", "awaiting_account", "releasing", "released", "refunded"] as const;
export type EscrowStatus = (typeof ESCROW_STATUSES)[number];

/**
 * The money of one paid order while the platform holds it. Amounts: `charged` was taken, `refunded`
 * went back before the release, `amount` = what is kept, split into `platform_fee` + `worker_amount`
 * with the fee terms fixed when the order was paid.
 */
export const escrows = sqliteTable(
  "escrows",
  {
    orderId: integer("order_id")
      .primaryKey()
      .references(() => orders.id, { onDelete: "cascade" }),
    paymentId: text("payment_id").notNull(),
    currency: text("currency").notNull().default("USD"),
    status: text("status", { enum: ESCROW_STATUSES }).notNull().default("held"),
    chargedCents: integer("charged_cents").notNull(),
    refundedCents: integer("refunded_cents").notNull().default(0),
    amountCents: integer("amount_cents").notNull(),
    feeBasisPoints: integer("fee_basis_points").notNull(),
    feeFixedCents: integer("fee_fixed_cents").notNull(),
    platformFeeCents: integer("platform_fee_cents").notNull(),
    workerAmountCents: integer("worker_amount_cents").notNull(),
    releaseHours: integer("release_hours").notNull(),
    releaseAt: integer("release_at", { mode: "timestamp_ms" }),
    releasedAt: integer("released_at", { mode: "timestamp_ms" }),
    /** The client marked the order received: due now, and no longer disputable. */
    confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
    workerId: integer("worker_id"),
    /** Our id of the transfer (the gateway's idempotency key), chosen when the release is claimed. */
    transferId: text("transfer_id"),
    gatewayTransferId: text("gateway_transfer_id"),
    claimedAt: integer("claimed_at", { mode: "timestamp_ms" }),
    refundedAfterReleaseCents: integer("refunded_after_release_cents").notNull().default(0),
    reversedCents: integer("reversed_cents").notNull().default(0),
    feeReturnedCents: integer("fee_returned_cents").notNull().default(0),
    disputeReason: text("dispute_reason"),
    disputedAt: integer("disputed_at", { mode: "timestamp_ms" }),
    disputeEscalatedAt: integer("dispute_escalated_at", { mode: "timestamp_ms" }),
    disputeResolution: text("dispute_resolution", { enum: ["release", "refund"] }),
    disputeRefundCents: integer("dispute_refund_cents"),
    disputeResolvedAt: integer("dispute_resolved_at", { mode: "timestamp_ms" }),
    chargebackId: text("chargeback_id"),
    chargebackStatus: text("chargeback_status"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("escrows_due_idx").on(t.status, t.releaseAt),
    index("escrows_worker_idx").on(t.workerId, t.releasedAt),
    index("escrows_payment_idx").on(t.paymentId),
  ],
);

export const LEDGER_KINDS = ["charge", "fee", "transfer", "refund", "reversal"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** Append-only (triggers refuse UPDATE and DELETE); amounts signed from the platform's holding account. */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orderId: integer("order_id").notNull(),
    paymentId: text("payment_id"),
    kind: text("kind", { enum: LEDGER_KINDS }).notNull(),
    amountCents: integer("amount_cents").notNull(),
    reference: text("reference"),
    createdAt: createdAt(),
  },
  (t) => [index("ledger_entries_order_idx").on(t.orderId), index("ledger_entries_kind_idx").on(t.kind, t.createdAt)],
);

export const PAYOUT_ACCOUNT_STATUSES = ["pending", "enabled", "restricted"] as const;
export type PayoutAccountStatus = (typeof PAYOUT_ACCOUNT_STATUSES)[number];

/** A worker's connected account at the gateway (Stripe Connect, or the sandbox). */
export const payoutAccounts = sqliteTable(
  "payout_accounts",
  {
    userId: integer("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    gateway: text("gateway").notNull(),
    accountId: text("account_id").notNull(),
    status: text("status", { enum: PAYOUT_ACCOUNT_STATUSES }).notNull().default("pending"),
    requirements: text("requirements", { mode: "json" }).$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("payout_accounts_account_unique").on(t.accountId)],
);

export const REVIEW_AUTHOR_ROLES = ["client", "worker"] as const;

/**
 * One party's review of the other after a completed order (double-blind: hidden from the other
 * party and the public until `published_at`). Not tied to the order by a foreign key, so a
 * reputation outlives `order-cleanup`; `publish_batch` names the write that published it.
 */
export const reviews = sqliteTable(
  "reviews",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orderId: integer("order_id").notNull(),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    subjectId: integer("subject_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    authorRole: text("author_role", { enum: REVIEW_AUTHOR_ROLES }).notNull(),
    rating: integer("rating").notNull(),
    comment: text("comment").notNull().default(""),
    /** When the review window closes: the review is published then at the latest. */
    publishDueAt: integer("publish_due_at", { mode: "timestamp_ms" }).notNull(),
    publishedAt: integer("published_at", { mode: "timestamp_ms" }),
    publishBatch: text("publish_batch"),
    hiddenAt: integer("hidden_at", { mode: "timestamp_ms" }),
    hiddenReason: text("hidden_reason"),
    hiddenById: integer("hidden_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("reviews_order_author_unique").on(t.orderId, t.authorRole),
    index("reviews_publish_due_idx").on(t.publishDueAt).where(sql`published_at IS NULL`),
    index("reviews_publish_batch_idx").on(t.publishBatch),
    index("reviews_subject_idx").on(t.subjectId, t.authorRole, t.publishedAt),
    check("reviews_rating_range", sql`${t.rating} BETWEEN 1 AND 5`),
    check("reviews_author_role", sql`${t.authorRole} IN ('client', 'worker')`),
  ],
);

/** A client's rating from workers' published, visible reviews (workers' ratings live on worker_profiles). */
export const clientRatings = sqliteTable("client_ratings", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  ratingHundredths: integer("rating_hundredths").notNull(),
  reviewsCount: integer("reviews_count").notNull(),
  updatedAt: updatedAt(),
});
/** The conversation of an order: its client, its assigned worker and admins (`isOperator`). Bodies are stored as sent. */
export const orderMessages = sqliteTable(
  "order_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    senderId: integer("sender_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    isOperator: integer("is_operator", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  // Every page is a range of this index: constant time however long the conversation.
  (t) => [index("order_messages_order_idx").on(t.orderId, t.id)],
);

/** How far each user has read an order's conversation (messages with a greater id are unread). */
export const orderMessageReads = sqliteTable(
  "order_message_reads",
  {
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    lastReadId: integer("last_read_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.userId] })],
);
