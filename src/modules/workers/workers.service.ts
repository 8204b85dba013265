import type { AppContext } from "../../context";
import { and, asc, desc, eq, gte, sql, type SQL } from "drizzle-orm";
import { services, users, workerProfiles, workerSpecializations } from "../../../drizzle/schema";
import { chunkRows, inJsonList } from "../../db/bound-lists";
import type { Db } from "../../db/client";
import { ValidationError, notFound } from "../../lib/errors";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import { publicUserColumns } from "../accounts/user-columns";
import { ratingScore } from "./worker-score";
import { toWorkerProfileDto, type WorkerUpdate, type WorkersQuery } from "./workers.schemas";

const profileColumns = {
  id: workerProfiles.id,
  bio: workerProfiles.bio,
  experienceYears: workerProfiles.experienceYears,
  hourlyRateCents: workerProfiles.hourlyRateCents,
  ratingHundredths: workerProfiles.ratingHundredths,
  reviewsCount: workerProfiles.reviewsCount,
  isAvailable: workerProfiles.isAvailable,
  createdAt: workerProfiles.createdAt,
  updatedAt: workerProfiles.updatedAt,
  specializations: sql<string>`(SELECT json_group_array(service_id) FROM ${workerSpecializations} WHERE worker_profile_id = ${workerProfiles.id})`,
  user: publicUserColumns(users),
};

const listedWorkers = and(eq(users.isActive, true), eq(users.role, "worker"));

/**
 * Workers who own, or declared a specialization in, a service matching `serviceFilter` (over alias s):
 * the directory's filter, narrower than order qualification (which also counts workers who declared none).
 */
const specializedIn = (serviceFilter: SQL) => sql`(
  EXISTS (SELECT 1 FROM ${workerSpecializations} ws JOIN ${services} s ON s.id = ws.service_id
          WHERE ws.worker_profile_id = ${workerProfiles.id} AND ${serviceFilter})
  OR EXISTS (SELECT 1 FROM ${services} s WHERE s.worker_id = ${workerProfiles.userId} AND ${serviceFilter}))`;

function filters(query: WorkersQuery): SQL | undefined {
  return and(
    listedWorkers,
    query.service !== undefined ? specializedIn(sql`s.id = ${query.service}`) : undefined,
    query.category !== undefined ? specializedIn(sql`s.category_id = ${query.category} AND s.is_active = 1`) : undefined,
    query.available !== undefined ? eq(workerProfiles.isAvailable, query.available === "true") : undefined,
    query.min_rating !== undefined ? gte(workerProfiles.ratingHundredths, query.min_rating) : undefined,
  );
}

/** `rating` ranks by the Bayesian score (worker-score.ts), the displayed average breaking ties. */
const byScore = ratingScore(workerProfiles.ratingHundredths, workerProfiles.reviewsCount);

const ORDER_COLUMNS = {
  experience_years: workerProfiles.experienceYears,
  hourly_rate: workerProfiles.hourlyRateCents,
};

function ordering(value: WorkersQuery["ordering"]) {
  if (!value || value === "-rating") return [desc(byScore), desc(workerProfiles.ratingHundredths), asc(workerProfiles.id)];
  if (value === "rating") return [asc(byScore), asc(workerProfiles.ratingHundredths), asc(workerProfiles.id)];
  const column = ORDER_COLUMNS[value.replace("-", "") as keyof typeof ORDER_COLUMNS];
  return [value.startsWith("-") ? desc(column) : asc(column), asc(workerProfiles.id)];
}

export async function listWorkers(ctx: AppContext, url: string, page: PageRequest, query: WorkersQuery) {
  const { db } = ctx;
  const rows = await db
    .select({ ...profileColumns, total: windowTotal() })
    .from(workerProfiles)
    .innerJoin(users, eq(users.id, workerProfiles.userId))
    .where(filters(query))
    .orderBy(...ordering(query.ordering))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, toWorkerProfileDto);
}

async function loadProfile(db: Db, where: SQL | undefined) {
  const [row] = await db
    .select(profileColumns)
    .from(workerProfiles)
    .innerJoin(users, eq(users.id, workerProfiles.userId))
    .where(where)
    .limit(1);
  if (!row) throw notFound();
  return toWorkerProfileDto(row);
}

export const getWorker = ({ db }: AppContext, profileId: number) =>
  loadProfile(db, and(eq(workerProfiles.id, profileId), listedWorkers));

export const getOwnProfile = ({ db }: AppContext, userId: number) => loadProfile(db, eq(workerProfiles.userId, userId));

export async function updateOwnProfile(ctx: AppContext, userId: number, input: WorkerUpdate) {
  const { db } = ctx;
  const profile = await db.query.workerProfiles.findFirst({ where: eq(workerProfiles.userId, userId) });
  if (!profile) throw notFound();
  if (input.specializations?.length) {
    const wanted = [...new Set(input.specializations)];
    const found = await db
      .select({ id: services.id })
      .from(services)
      .where(and(inJsonList(services.id, wanted), eq(services.isActive, true)));
    const missing = wanted.filter((id) => !found.some((s) => s.id === id));
    if (missing.length) throw ValidationError.field("specializations", `Unknown or inactive services: ${missing.join(", ")}.`);
  }
  const changes: Partial<typeof workerProfiles.$inferInsert> = { updatedAt: new Date() };
  if (input.bio !== undefined) changes.bio = input.bio;
  if (input.experience_years !== undefined) changes.experienceYears = input.experience_years;
  if (input.hourly_rate !== undefined) changes.hourlyRateCents = input.hourly_rate;
  if (input.is_available !== undefined) changes.isAvailable = input.is_available;

  const update = db.update(workerProfiles).set(changes).where(eq(workerProfiles.id, profile.id));
  if (input.specializations === undefined) {
    await update;
  } else {
    const ids = [...new Set(input.specializations)];
    const replace = db.delete(workerSpecializations).where(eq(workerSpecializations.workerProfileId, profile.id));
    const rows = ids.map((serviceId) => ({ workerProfileId: profile.id, serviceId }));
    await db.batch([update, replace, ...chunkRows(rows).map((chunk) => db.insert(workerSpecializations).values(chunk))]);
  }
  return getOwnProfile(ctx, userId);
}
