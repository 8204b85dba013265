import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { edgeCached, invalidatesCatalog, notModifiedResponse } from "../../lib/edge-cache";
import { bearerSecurity, errorResponses, idParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema, paginationQuery } from "../../lib/pagination";
import {
  categoryBody,
  categoryPatchBody,
  categorySchema,
  serviceBody,
  servicePatchBody,
  serviceSchema,
  servicesQuery,
} from "./catalog.schemas";

const categoryTags = ["categories"];
const serviceTags = ["services"];
/** Public routes whose answer depends on who asks (owners and admins also see inactive services). */
const optionalBearer = [{}, ...bearerSecurity];

export const listCategoriesRoute = createRoute({
  method: "get",
  path: "/api/services/categories/",
  operationId: "categories_list",
  summary: "List categories",
  description: "Public. Anonymous reads are cached at the edge.",
  tags: categoryTags,
  middleware: [edgeCached(paginationQuery)] as const,
  request: { query: paginationQuery },
  responses: {
    200: jsonResponse(pageSchema(categorySchema, "CategoryPage"), "A page of categories, by name"),
    ...notModifiedResponse,
    ...errorResponses(400, 404),
  },
});

export const createCategoryRoute = createRoute({
  method: "post",
  path: "/api/services/categories/",
  operationId: "categories_create",
  tags: categoryTags,
  summary: "Create a category (name unique, case-insensitive)",
  description: "Admins only.",
  security: bearerSecurity,
  middleware: [authenticated("admin"), invalidatesCatalog] as const,
  request: { body: jsonBody(categoryBody) },
  responses: { 201: jsonResponse(categorySchema, "The new category"), ...errorResponses(400, 401, 403, 415) },
});

const updateCategory = (method: "put" | "patch") =>
  createRoute({
    method,
    path: "/api/services/categories/{id}/",
    operationId: `categories_${method === "put" ? "update" : "partial_update"}`,
    summary: "Rename or describe a category (admins)",
    description: "Admins only; names stay unique regardless of case.",
    tags: categoryTags,
    security: bearerSecurity,
    middleware: [authenticated("admin"), invalidatesCatalog] as const,
    request: { params: idParams, body: jsonBody(method === "put" ? categoryBody : categoryPatchBody) },
    responses: { 200: jsonResponse(categorySchema, "The updated category"), ...errorResponses(400, 401, 403, 404, 415) },
  });

export const putCategoryRoute = updateCategory("put");
export const patchCategoryRoute = updateCategory("patch");

export const deleteCategoryRoute = createRoute({
  method: "delete",
  path: "/api/services/categories/{id}/",
  operationId: "categories_destroy",
  tags: categoryTags,
  summary: "Delete a category that no service (active or not) uses",
  description: "Admins only; 409 while any service uses the category.",
  security: bearerSecurity,
  middleware: [authenticated("admin"), invalidatesCatalog] as const,
  request: { params: idParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 403, 404, 409) },
});

export const listServicesRoute = createRoute({
  method: "get",
  path: "/api/services/",
  operationId: "services_list",
  tags: serviceTags,
  summary: "Active services, filtered, searched and ordered",
  description:
    "Everyone sees active services. Admins see inactive ones too; a worker filtering by their own id " +
    "(`?worker=<own id>`) also sees their own inactive services. `search` matches words (and word " +
    "prefixes) of the name and description; all words must match.",
  security: optionalBearer,
  middleware: [edgeCached(servicesQuery)] as const,
  request: { query: servicesQuery },
  responses: {
    200: jsonResponse(pageSchema(serviceSchema, "ServicePage"), "A page of services"),
    ...notModifiedResponse,
    ...errorResponses(400, 404),
  },
});

export const createServiceRoute = createRoute({
  method: "post",
  path: "/api/services/",
  operationId: "services_create",
  tags: serviceTags,
  summary: "Offer a service; the calling worker owns it and is qualified for it",
  description: "Workers only. Prices are decimal strings with at most two decimals.",
  security: bearerSecurity,
  middleware: [authenticated("worker"), invalidatesCatalog] as const,
  request: { body: jsonBody(serviceBody) },
  responses: { 201: jsonResponse(serviceSchema, "The new service"), ...errorResponses(400, 401, 403, 415) },
});

export const getServiceRoute = createRoute({
  method: "get",
  path: "/api/services/{id}/",
  operationId: "services_retrieve",
  tags: serviceTags,
  summary: "One service (inactive ones only for their owner and admins)",
  description: "With its category and its owner's public user. Anonymous reads are cached at the edge.",
  security: optionalBearer,
  middleware: [edgeCached()] as const,
  request: { params: idParams },
  responses: { 200: jsonResponse(serviceSchema, "The service"), ...notModifiedResponse, ...errorResponses(400, 404) },
});

const updateService = (method: "put" | "patch") =>
  createRoute({
    method,
    path: "/api/services/{id}/",
    operationId: `services_${method === "put" ? "update" : "partial_update"}`,
    tags: serviceTags,
    summary: "Update a service (owner or admin; the owner never changes)",
    description: "The owner or an admin; the owner never changes, and an inactive category is refused.",
    security: bearerSecurity,
    middleware: [authenticated("worker", "admin"), invalidatesCatalog] as const,
    request: { params: idParams, body: jsonBody(method === "put" ? serviceBody : servicePatchBody) },
    responses: { 200: jsonResponse(serviceSchema, "The updated service"), ...errorResponses(400, 401, 403, 404, 415) },
  });

export const putServiceRoute = updateService("put");
export const patchServiceRoute = updateService("patch");

export const deleteServiceRoute = createRoute({
  method: "delete",
  path: "/api/services/{id}/",
  operationId: "services_destroy",
  tags: serviceTags,
  summary: "Deactivate a service (owner or admin); its orders and payments are kept",
  description: "A soft delete: the service stops being listed and orderable; its orders and payments stay.",
  security: bearerSecurity,
  middleware: [authenticated("worker", "admin"), invalidatesCatalog] as const,
  request: { params: idParams },
  responses: { 204: { description: "Deactivated" }, ...errorResponses(400, 401, 403, 404) },
});
