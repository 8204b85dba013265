import { and, desc, asc, eq, isNotNull, isNull, or, sql, type SQLWrapper } from "drizzle-orm";
import { alias, type SelectedFields } from "drizzle-orm/sqlite-core";
import { orders, reviews, users, workerProfiles } from "../../../drizzle/schema";
import type { AppContext } from "../../context";
import type { Db } from "../../db/client";
import { abortUnlessChanged, isGuardFailure } from "../../db/guards";
import { isUniqueViolation, rowsAffected } from "../../db/results";
import type { AuthUser } from "../../lib/auth-user";
import { ApiError, conflict, notFound } from "../../lib/errors";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import { publicUserColumns } from "../accounts/user-columns";
import { schedulePush } from "../notifications/notification-events";
import { reviewHiddenInbox, reviewReceivedInbox } from "./review-notifications";
import { publishWhenBothReviewed } from "./review-publication";
import { recomputeRatingsStatements } from "./review-ratings";
import { toOrderReviewDto, toPublicReviewDto, type ReviewCreate, type ReviewHide } from "./reviews.schemas";

const DAY_MS = 86_400_000;

const author = alias(users, "review_author");
const subject = alias(users, "review_subject");

const reviewColumns = {
  id: reviews.id,
  orderId: reviews.orderId,
  authorRole: reviews.authorRole,
  rating: reviews.rating,
  comment: reviews.comment,
  createdAt: reviews.createdAt,
  publishDueAt: reviews.publishDueAt,
  publishedAt: reviews.publishedAt,
  hiddenAt: reviews.hiddenAt,
  hiddenReason: reviews.hiddenReason,
  author: publicUserColumns(author),
  subject: publicUserColumns(subject),
};

const selectReviews = <T extends SelectedFields = Record<string, never>>(db: Db, extra = {} as T) =>
  db
    .select({ ...reviewColumns, ...extra })
    .from(reviews)
    .innerJoin(author, eq(author.id, reviews.authorId))
    .innerJoin(subject, eq(subject.id, reviews.subjectId));

/** A party of the order (its client or its assigned worker); anyone else, admins included, does not find it. */
const partyOf = (user: AuthUser) => or(eq(orders.clientId, user.id), eq(orders.workerId, user.id));

/**
 * The caller's review of the other party of a completed order, within the review window. It stays
 * pending until the other party has reviewed too (then both are published in this batch) or the
 * window closes (the `review-publish` job). Completed is a final status; the insert is still guarded
 * on it, and an accepted review is always published: at the latest by the job once it is due.
 */
export async function submitReview(ctx: AppContext, user: AuthUser, orderId: number, input: ReviewCreate) {
  const { db, config, outbox } = ctx;
  const [order] = await db
    .select({ status: orders.status, clientId: orders.clientId, workerId: orders.workerId, completedAt: orders.completedAt })
    .from(orders)
    .where(and(eq(orders.id, orderId), partyOf(user)))
    .limit(1);
  if (!order) throw notFound();
  const authorRole = order.clientId === user.id ? "client" : "worker";
  const subjectId = authorRole === "client" ? order.workerId : order.clientId;
  if (order.status !== "completed" || !order.completedAt || subjectId === null) {
    throw new ApiError("order_not_completed", "An order can be reviewed once it is completed.");
  }
  const now = Date.now();
  const dueAt = order.completedAt.getTime() + config.reviewWindowDays * DAY_MS;
  if (now >= dueAt) {
    throw new ApiError("review_window_closed", `Reviews can be left within ${config.reviewWindowDays} days of the order's completion.`);
  }
  const insert = db.insert(reviews).select(sql`
    SELECT NULL, ${orderId}, ${user.id}, ${subjectId}, ${authorRole}, ${input.rating}, ${input.comment ?? ""}, ${dueAt},
           NULL, NULL, NULL, NULL, NULL, ${now}
    FROM ${orders} WHERE id = ${orderId} AND status = 'completed'`);
  const publish = publishWhenBothReviewed(db, orderId, now);
  const received = reviewReceivedInbox(db, orderId, authorRole);
  try {
    await db.batch([insert, abortUnlessChanged(db, "order"), ...publish.statements, received.statement]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError("already_reviewed", "You have already reviewed this order.");
    if (isGuardFailure(error, "order")) throw new ApiError("order_not_completed", "An order can be reviewed once it is completed.");
    throw error;
  }
  const [row] = await selectReviews(db).where(and(eq(reviews.orderId, orderId), eq(reviews.authorRole, authorRole))).limit(1);
  const review = toOrderReviewDto(row, user);
  schedulePush(outbox, review.status === "published" ? publish.eventId : received.eventId);
  return review;
}

/** The reviews of an order, for its parties and admins (others → 404); a hidden review only for its author and admins. */
export async function listOrderReviews(ctx: AppContext, user: AuthUser, orderId: number, url: string, page: PageRequest) {
  const { db } = ctx;
  const [order] = await db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.id, orderId), user.role === "admin" ? undefined : partyOf(user)))
    .limit(1);
  if (!order) throw notFound();
  const visible = user.role === "admin" ? undefined : or(isNull(reviews.hiddenAt), eq(reviews.authorId, user.id));
  const rows = await selectReviews(db, { total: windowTotal() })
    .where(and(eq(reviews.orderId, orderId), visible))
    .orderBy(asc(reviews.id))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, (row) => toOrderReviewDto(row, user));
}

/** What the public sees of a worker: clients' published reviews that no moderator hid. */
const publicReviewsOf = (workerUserId: SQLWrapper) =>
  and(
    eq(reviews.subjectId, workerUserId),
    eq(reviews.authorRole, "client"),
    isNotNull(reviews.publishedAt),
    isNull(reviews.hiddenAt),
  );

/**
 * Public: a listed worker's published reviews, newest publication first (404 for an unknown
 * profile). One query: the profile left-joined with the page, so a listed worker without reviews
 * is one row without a review (counted by `count(reviews.id)`, not `count(*)`).
 */
export async function listWorkerReviews(ctx: AppContext, profileId: number, url: string, page: PageRequest) {
  const rows = await ctx.db
    .select({
      id: reviews.id,
      rating: reviews.rating,
      comment: reviews.comment,
      publishedAt: reviews.publishedAt,
      author: publicUserColumns(author),
      total: sql<number>`count(${reviews.id}) OVER ()`.mapWith(Number),
    })
    .from(workerProfiles)
    .innerJoin(users, eq(users.id, workerProfiles.userId))
    .leftJoin(reviews, publicReviewsOf(workerProfiles.userId))
    .leftJoin(author, eq(author.id, reviews.authorId))
    .where(and(eq(workerProfiles.id, profileId), eq(users.isActive, true), eq(users.role, "worker")))
    .orderBy(desc(reviews.publishedAt), desc(reviews.id))
    .limit(page.limit)
    .offset(page.offset);
  if (!rows.length && page.page === 1) throw notFound();
  const found = rows.flatMap(({ id, rating, comment, author, ...rest }) =>
    id === null || rating === null || comment === null || author === null ? [] : [{ ...rest, id, rating, comment, author }],
  );
  return pageFromRows(url, page, found, toPublicReviewDto);
}

/**
 * An admin hides a review with a reason: it leaves every public and other-party view, its subject's
 * rating is recomputed and its author told why, all in one batch. Hiding twice → 409.
 */
export async function hideReview(ctx: AppContext, admin: AuthUser, reviewId: number, input: ReviewHide) {
  const { db, outbox } = ctx;
  const [existing] = await db.select({ id: reviews.id }).from(reviews).where(eq(reviews.id, reviewId)).limit(1);
  if (!existing) throw notFound();
  const hidden = reviewHiddenInbox(db, reviewId);
  const [update] = await db.batch([
    db
      .update(reviews)
      .set({ hiddenAt: new Date(), hiddenReason: input.reason, hiddenById: admin.id })
      .where(and(eq(reviews.id, reviewId), isNull(reviews.hiddenAt))),
    hidden.statement,
    ...recomputeRatingsStatements(db, sql`SELECT subject_id FROM ${reviews} WHERE id = ${reviewId}`),
  ]);
  if (rowsAffected(update) === 0) throw conflict("This review is already hidden.");
  schedulePush(outbox, hidden.eventId);
  const [row] = await selectReviews(db).where(eq(reviews.id, reviewId)).limit(1);
  return toOrderReviewDto(row, admin);
}
