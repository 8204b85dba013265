import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { invalidatesCatalog } from "../../lib/edge-cache";
import { limitPerIp } from "../../lib/rate-limit";
import { bearerSecurity, errorResponses, idParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import {
  loginBody,
  loginResponseSchema,
  refreshBody,
  registerBody,
  tokenPairSchema,
  userSchema,
  userUpdateBody,
  usersQuery,
} from "./accounts.schemas";

const auth = ["auth"];
const usersTag = ["users"];

export const registerRoute = createRoute({
  method: "post",
  path: "/api/auth/register/",
  operationId: "auth_register",
  tags: auth,
  summary: "Create a client or worker account",
  middleware: [limitPerIp("register"), invalidatesCatalog] as const,
  request: { body: jsonBody(registerBody) },
  responses: { 201: jsonResponse(userSchema, "The new user"), ...errorResponses(400, 413, 415, 429) },
});

export const loginRoute = createRoute({
  method: "post",
  path: "/api/auth/login/",
  operationId: "auth_login",
  tags: auth,
  summary: "Exchange username and password for access and refresh tokens",
  middleware: [limitPerIp("login")] as const,
  request: { body: jsonBody(loginBody) },
  responses: { 200: jsonResponse(loginResponseSchema, "Tokens and the user"), ...errorResponses(400, 415, 429) },
});

export const refreshRoute = createRoute({
  method: "post",
  path: "/api/auth/refresh/",
  operationId: "auth_refresh",
  tags: auth,
  summary: "Rotate a refresh token (single use; reuse revokes the family)",
  request: { body: jsonBody(refreshBody) },
  responses: { 200: jsonResponse(tokenPairSchema, "A new token pair"), ...errorResponses(400, 401, 415) },
});

export const logoutRoute = createRoute({
  method: "post",
  path: "/api/auth/logout/",
  operationId: "auth_logout",
  tags: auth,
  summary: "Revoke the refresh token's family",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { body: jsonBody(refreshBody) },
  responses: { 204: { description: "Logged out" }, ...errorResponses(400, 401, 415) },
});

export const listUsersRoute = createRoute({
  method: "get",
  path: "/api/users/",
  operationId: "users_list",
  tags: usersTag,
  security: bearerSecurity,
  middleware: [authenticated("admin")] as const,
  request: { query: usersQuery },
  responses: { 200: jsonResponse(pageSchema(userSchema, "UserPage"), "A page of users"), ...errorResponses(400, 401, 403, 404) },
});

export const getUserRoute = createRoute({
  method: "get",
  path: "/api/users/{id}/",
  operationId: "users_retrieve",
  tags: usersTag,
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { params: idParams },
  responses: { 200: jsonResponse(userSchema, "The user"), ...errorResponses(400, 401, 404) },
});

const updateUser = (method: "put" | "patch") =>
  createRoute({
    method,
    path: "/api/users/{id}/",
    operationId: `users_${method === "put" ? "update" : "partial_update"}`,
    tags: usersTag,
    summary: "Update profile fields (role, is_verified, is_active: admin only)",
    security: bearerSecurity,
    middleware: [authenticated(), invalidatesCatalog] as const,
    request: { params: idParams, body: jsonBody(userUpdateBody) },
    responses: { 200: jsonResponse(userSchema, "The updated user"), ...errorResponses(400, 401, 403, 404, 415) },
  });

export const putUserRoute = updateUser("put");
export const patchUserRoute = updateUser("patch");

