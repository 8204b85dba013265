import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { edgeCached, invalidatesCatalog, notModifiedResponse } from "../../lib/edge-cache";
import { bearerSecurity, errorResponses, idParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { workerProfileSchema, workerUpdateBody, workersQuery } from "./workers.schemas";

const tags = ["workers"];

export const listWorkersRoute = createRoute({
  method: "get",
  path: "/api/workers/",
  operationId: "workers_list",
  tags,
  summary: "Public worker directory",
  description: "Every worker profile with its public user (no email or phone), filterable and orderable. Anonymous reads are cached at the edge.",
  middleware: [edgeCached(workersQuery)] as const,
  request: { query: workersQuery },
  responses: {
    200: jsonResponse(pageSchema(workerProfileSchema, "WorkerProfilePage"), "A page of worker profiles"),
    ...notModifiedResponse,
    ...errorResponses(400, 404),
  },
});

export const ownProfileRoute = createRoute({
  method: "get",
  path: "/api/workers/me/",
  operationId: "workers_me_retrieve",
  summary: "The calling worker's own profile",
  description: "Workers only, specializations included.",
  tags,
  security: bearerSecurity,
  middleware: [authenticated("worker")] as const,
  responses: { 200: jsonResponse(workerProfileSchema, "The caller's profile"), ...errorResponses(401, 403) },
});

export const updateOwnProfileRoute = createRoute({
  method: "patch",
  path: "/api/workers/me/",
  operationId: "workers_me_partial_update",
  tags,
  summary: "Update the caller's profile (rating is not writable)",
  description: "Changes the calling worker's own profile; `specializations` takes up to 100 service ids. `rating` and `reviews_count` are not writable.",
  security: bearerSecurity,
  middleware: [authenticated("worker"), invalidatesCatalog] as const,
  request: { body: jsonBody(workerUpdateBody) },
  responses: { 200: jsonResponse(workerProfileSchema, "The updated profile"), ...errorResponses(400, 401, 403, 415) },
});

export const getWorkerRoute = createRoute({
  method: "get",
  path: "/api/workers/{id}/",
  operationId: "workers_retrieve",
  summary: "One worker's public profile",
  description: "Public: the profile with its public user (no email or phone). Anonymous reads are cached at the edge.",
  tags,
  middleware: [edgeCached()] as const,
  request: { params: idParams },
  responses: { 200: jsonResponse(workerProfileSchema, "One worker profile"), ...notModifiedResponse, ...errorResponses(400, 404) },
});
