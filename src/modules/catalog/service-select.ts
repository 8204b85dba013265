import { eq } from "drizzle-orm";
import { alias, type SelectedFields } from "drizzle-orm/sqlite-core";
import { categories, services, users } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import { publicUserColumns } from "../accounts/user-columns";
import type { ServiceRow } from "./catalog.schemas";

/**
 * The service's owner under its own alias, so a query that also joins `users` for other roles
 * (an order's client and worker) can nest a Service without clashing.
 */
export const serviceOwner = alias(users, "service_owner");

/**
 * Select shape of a Service with its category and owner (see toServiceDto). Join it with
 * `.innerJoin(categories, eq(categories.id, services.categoryId))`
 * `.innerJoin(serviceOwner, eq(serviceOwner.id, services.workerId))`.
 */
export const serviceColumns = {
  id: services.id,
  name: services.name,
  description: services.description,
  basePriceCents: services.basePriceCents,
  durationHours: services.durationHours,
  isActive: services.isActive,
  createdAt: services.createdAt,
  updatedAt: services.updatedAt,
  category: {
    id: categories.id,
    name: categories.name,
    description: categories.description,
    icon: categories.icon,
  },
  worker: publicUserColumns(serviceOwner),
} satisfies Record<keyof ServiceRow, unknown>;

/** `services` joined with its category and owner; add `.where(...)`, ordering and limits. */
export const selectServices = <T extends SelectedFields = Record<string, never>>(db: Db, extra = {} as T) =>
  db
    .select({ ...serviceColumns, ...extra })
    .from(services)
    .innerJoin(categories, eq(categories.id, services.categoryId))
    .innerJoin(serviceOwner, eq(serviceOwner.id, services.workerId));
