import type { AppContext } from "../../context";
import { and, asc, desc, eq, or, sql, type Placeholder, type SQL } from "drizzle-orm";
import { services } from "../../../drizzle/schema";
import { compiledSelect } from "../../db/compiled-select";
import type { Db } from "../../db/client";
import { isForeignKeyViolation } from "../../db/results";
import type { AuthUser } from "../../lib/auth-user";
import { ValidationError, forbidden, notFound } from "../../lib/errors";
import { COUNT_CAP, boundedPageFromRows, type PageRequest } from "../../lib/pagination";
import { toServiceDto, type ServiceCreate, type ServiceInput, type ServiceRow, type ServicesQuery } from "./catalog.schemas";
import { ftsMatchExpression } from "./service-search";
import { selectServices } from "./service-select";

/** A value of a compiled query (see compiledSelect), bound per request under this name. */
const value = (name: string) => sql.placeholder(name);

/** Inactive services are seen only by their owner and admins. */
function visibleTo(user: AuthUser | null, callerId: number | Placeholder = user?.id ?? 0): SQL | undefined {
  if (user?.role === "admin") return undefined;
  const active = eq(services.isActive, true);
  return user ? or(active, eq(services.workerId, callerId)) : active;
}

/**
 * The list shows active services; admins see every service, and an owner filtering by their own
 * id (`?worker=<own id>`) sees their inactive ones too.
 */
const seesInactive = (user: AuthUser | null, query: ServicesQuery) => user?.role === "admin" || (user !== null && query.worker === user.id);

/** Owner or admin. */
const editableBy = (user: AuthUser): SQL | undefined => (user.role === "admin" ? undefined : eq(services.workerId, user.id));

/** Whether a search is given and whether it can match anything (a query of only punctuation cannot). */
function searchKind(query: ServicesQuery): "none" | "match" | "nothing" {
  if (!query.search?.trim()) return "none";
  return ftsMatchExpression(query.search) === null ? "nothing" : "match";
}

/** What the page's SQL binds per request; its placeholders (below) carry the same names. */
export function servicePageValues(query: ServicesQuery, page: PageRequest): Record<string, unknown> {
  return {
    category: query.category,
    worker: query.worker,
    min_price: query.min_price,
    max_price: query.max_price,
    match: query.search ? ftsMatchExpression(query.search) : null,
    limit: page.limit + 1,
    offset: page.offset,
  };
}

/**
 * The price column as the page's filter sees it. Ordered by anything but price, the page walks the
 * ordering's index and checks the price row by row, stopping after a page of matches (`+column`
 * keeps SQLite from picking the price index instead, which sorts every match in range: 200 ms at
 * 100,000 services for a wide range, against 0.2 ms). A narrow range that matches little walks more
 * of the index; ordered by price, the price index serves the filter and the order at once.
 */
const priceForPage = (query: ServicesQuery): SQL =>
  query.ordering === "price" || query.ordering === "-price" ? sql`${services.basePriceCents}` : sql`+${services.basePriceCents}`;

function listFilters(
  user: AuthUser | null,
  query: ServicesQuery,
  { search = searchFilter(query), price = sql`${services.basePriceCents}` } = {},
): SQL | undefined {
  return and(
    seesInactive(user, query) ? undefined : eq(services.isActive, true),
    query.category !== undefined ? eq(services.categoryId, value("category")) : undefined,
    query.worker !== undefined ? eq(services.workerId, value("worker")) : undefined,
    query.min_price !== undefined ? sql`${price} >= ${value("min_price")}` : undefined,
    query.max_price !== undefined ? sql`${price} <= ${value("max_price")}` : undefined,
    search,
  );
}

function searchFilter(query: ServicesQuery): SQL | undefined {
  const kind = searchKind(query);
  if (kind === "none") return undefined;
  if (kind === "nothing") return sql`0`;
  return sql`${services.id} IN (SELECT rowid FROM services_fts WHERE services_fts MATCH ${value("match")})`;
}

/**
 * The match count, bounded at COUNT_CAP + 1 (see COUNT_CAP). A search counts by walking the
 * full-text matches and looking each service up (CROSS JOIN keeps that order), so it stops after
 * COUNT_CAP + 1 visible matches instead of first collecting every match of the word.
 */
function boundedTotal(user: AuthUser | null, query: ServicesQuery) {
  const kind = searchKind(query);
  const bound = COUNT_CAP + 1;
  if (kind === "nothing") return sql<number>`0`.mapWith(Number);
  if (kind === "none") {
    const where = listFilters(user, query);
    return sql<number>`(SELECT count(*) FROM (SELECT 1 FROM ${services} WHERE ${where ?? sql`1`} LIMIT ${sql.raw(String(bound))}))`.mapWith(Number);
  }
  const where = listFilters(user, query, { search: sql`services_fts MATCH ${value("match")}` });
  return sql<number>`(SELECT count(*) FROM (SELECT 1 FROM services_fts CROSS JOIN ${services} ON ${services.id} = services_fts.rowid WHERE ${where} LIMIT ${sql.raw(String(bound))}))`.mapWith(Number);
}

const ORDER_COLUMNS = { price: services.basePriceCents, created_at: services.createdAt };

/** The id tie-breaker runs in the same direction, so an index on (…, column) serves both. */
function ordering(order: ServicesQuery["ordering"] = "-created_at") {
  const direction = order.startsWith("-") ? desc : asc;
  return [direction(ORDER_COLUMNS[order.replace("-", "") as keyof typeof ORDER_COLUMNS]), direction(services.id)];
}

/** Everything that changes the page's SQL text (not its values): the key of its compiled query. */
export function servicePageShape(user: AuthUser | null, query: ServicesQuery) {
  const filters = [query.category, query.worker, query.min_price, query.max_price].map((v) => (v === undefined ? "-" : "+")).join("");
  return `services-page:${seesInactive(user, query)}:${filters}:${searchKind(query)}:${query.ordering ?? "-created_at"}`;
}

/**
 * One query for a page: the rows joined with category and owner (one more than the page, which says
 * whether a next page exists past a capped count), and the bounded match count as an uncorrelated
 * scalar subquery (evaluated once). Unlike `count(*) OVER ()` it does not force every match to be
 * joined and materialised before LIMIT applies. Its values are placeholders (see servicePageValues).
 */
export function servicePageQuery(db: Db, user: AuthUser | null, query: ServicesQuery) {
  return selectServices(db, { total: boundedTotal(user, query) })
    .where(listFilters(user, query, { price: priceForPage(query) }))
    .orderBy(...ordering(query.ordering))
    .limit(value("limit"))
    .offset(value("offset"));
}

/** Compiled once per shape (see compiledSelect). */
export async function listServices(ctx: AppContext, user: AuthUser | null, url: string, page: PageRequest, query: ServicesQuery) {
  const rows = await compiledSelect<ServiceRow & { total: number }>(
    ctx.db,
    servicePageShape(user, query),
    () => servicePageQuery(ctx.db, user, query),
    servicePageValues(query, page),
  );
  return boundedPageFromRows(url, page, rows, toServiceDto);
}

/** Compiled per kind of caller (anonymous, signed in, admin), which is all that changes its SQL. */
export async function getService(ctx: AppContext, user: AuthUser | null, id: number) {
  const viewer = user ? user.role === "admin" ? "admin" : "user" : "anonymous";
  const [row] = await compiledSelect<ServiceRow>(
    ctx.db,
    `service-detail:${viewer}`,
    () => selectServices(ctx.db).where(and(eq(services.id, value("id")), visibleTo(user, value("caller")))).limit(1),
    { id, caller: user?.id ?? 0 },
  );
  if (!row) throw notFound();
  return toServiceDto(row);
}

const isUnknownCategory = isForeignKeyViolation;

/** Runs a write whose only foreign key the caller controls is `category_id`. */
async function withCategoryCheck<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUnknownCategory(error)) throw ValidationError.field("category_id", "Invalid pk - object does not exist.");
    throw error;
  }
}

function columnChanges(input: ServiceInput): Partial<typeof services.$inferInsert> {
  const changes: Partial<typeof services.$inferInsert> = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.description !== undefined) changes.description = input.description;
  if (input.category_id !== undefined) changes.categoryId = input.category_id;
  if (input.base_price !== undefined) changes.basePriceCents = input.base_price;
  if (input.duration_hours !== undefined) changes.durationHours = input.duration_hours;
  if (input.is_active !== undefined) changes.isActive = input.is_active;
  return changes;
}

/** The creator owns the service, which also makes them qualified for it. */
export async function createService(ctx: AppContext, owner: AuthUser, input: ServiceCreate) {
  const { db } = ctx;
  const [created] = await withCategoryCheck(
    db
      .insert(services)
      .values({
        name: input.name,
        description: input.description,
        categoryId: input.category_id,
        basePriceCents: input.base_price,
        durationHours: input.duration_hours,
        isActive: input.is_active,
        workerId: owner.id,
      })
      .returning({ id: services.id }),
  );
  return getService(ctx, owner, created.id);
}

/** After a scoped write matched nothing: 403 if the caller can see the service, else 404. */
async function refuse(db: Db, user: AuthUser, id: number): Promise<never> {
  const [visible] = await db
    .select({ id: services.id })
    .from(services)
    .where(and(eq(services.id, id), visibleTo(user)))
    .limit(1);
  throw visible ? forbidden() : notFound();
}

export async function updateService(ctx: AppContext, user: AuthUser, id: number, input: ServiceInput) {
  const { db } = ctx;
  const updated = await withCategoryCheck(
    db
      .update(services)
      .set({ ...columnChanges(input), updatedAt: new Date() })
      .where(and(eq(services.id, id), editableBy(user)))
      .returning({ id: services.id }),
  );
  if (!updated.length) await refuse(db, user, id);
  return getService(ctx, user, id);
}

/** DELETE only deactivates: orders and payments keep pointing at the service. */
export async function deactivateService(ctx: AppContext, user: AuthUser, id: number) {
  const { db } = ctx;
  const updated = await db
    .update(services)
    .set({ isActive: false, updatedAt: new Date() })
    .where(and(eq(services.id, id), editableBy(user)))
    .returning({ id: services.id });
  if (!updated.length) await refuse(db, user, id);
}
