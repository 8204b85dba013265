import type { AppContext } from "../../context";
import { and, asc, eq, getTableColumns, notExists, sql } from "drizzle-orm";
import { categories, services } from "../../../drizzle/schema";
import { isUniqueViolation } from "../../db/results";
import { ValidationError, conflict, notFound } from "../../lib/errors";
import { pageFromRows, windowTotal, type PageRequest } from "../../lib/pagination";
import { toCategoryDto, type CategoryInput } from "./catalog.schemas";

export async function listCategories(ctx: AppContext, url: string, page: PageRequest) {
  const { db } = ctx;
  const rows = await db
    .select({ ...getTableColumns(categories), total: windowTotal() })
    .from(categories)
    .orderBy(asc(sql`lower(${categories.name})`), asc(categories.id))
    .limit(page.limit)
    .offset(page.offset);
  return pageFromRows(url, page, rows, toCategoryDto);
}

/** Names are unique case-insensitively (a unique index on lower(name)). */
async function withUniqueName<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw ValidationError.field("name", "category with this name already exists.");
    throw error;
  }
}

export async function createCategory(ctx: AppContext, input: CategoryInput & { name: string }) {
  const { db } = ctx;
  const [created] = await withUniqueName(db.insert(categories).values(input).returning());
  return toCategoryDto(created);
}

export async function updateCategory(ctx: AppContext, id: number, input: CategoryInput) {
  const { db } = ctx;
  const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const [updated] = Object.keys(changes).length
    ? await withUniqueName(db.update(categories).set(changes).where(eq(categories.id, id)).returning())
    : await db.select().from(categories).where(eq(categories.id, id)).limit(1);
  if (!updated) throw notFound();
  return toCategoryDto(updated);
}

/** Refused (409) while any service, active or not, is in the category; checked in the DELETE itself. */
export async function deleteCategory(ctx: AppContext, id: number) {
  const { db } = ctx;
  const inUse = db.select({ id: services.id }).from(services).where(eq(services.categoryId, id));
  const deleted = await db
    .delete(categories)
    .where(and(eq(categories.id, id), notExists(inUse)))
    .returning({ id: categories.id });
  if (deleted.length) return;
  const [exists] = await db.select({ id: categories.id }).from(categories).where(eq(categories.id, id)).limit(1);
  if (!exists) throw notFound();
  throw conflict("Cannot delete a category that still has services.");
}
