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
  description: "Anyone may register, as a client (the default) or a worker; admins are made with `npm run createsuperuser`. The password must pass the password policy. Every attempt counts toward the per-IP limit.",
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
  description: "Returns a 15-minute access JWT, a single-use refresh token and the user. Every attempt counts per client IP; failed ones also per username and IP, so nobody can lock out a user from another address.",
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
  description: "Exchanges a refresh token for a new pair. A token rotated less than 10 s ago may be presented once more (two tabs refreshing at once); any other reuse revokes the whole family.",
  request: { body: jsonBody(refreshBody) },
  responses: { 200: jsonResponse(tokenPairSchema, "A new token pair"), ...errorResponses(400, 401, 415) },
});

export const logoutRoute = createRoute({
  method: "post",
  path: "/api/auth/logout/",
  operationId: "auth_logout",
  tags: auth,
  summary: "Revoke the refresh token's family",
  description: "Revokes the family of the given refresh token, which must be the caller's, and closes the caller's WebSockets.",
  security: bearerSecurity,
  middleware: [authenticated()] as const,
  request: { body: jsonBody(refreshBody) },
  responses: { 204: { description: "Logged out" }, ...errorResponses(400, 401, 415) },
});

export const listUsersRoute = createRoute({
  method: "get",
  path: "/api/users/",
  operationId: "users_list",
  summary: "List users (admins)",
  description: "Every account with its contact data, newest first, optionally filtered by role.",
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
  summary: "One user (the user themselves or an admin)",
  description: "Anyone else gets the same 404 as for a missing user.",
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
    description: "Users edit their own profile (a new password needs `current_password`); admins edit anyone. A password, role or activation change ends the user's sessions and closes their sockets.",
    security: bearerSecurity,
    middleware: [authenticated(), invalidatesCatalog] as const,
    request: { params: idParams, body: jsonBody(userUpdateBody) },
    responses: { 200: jsonResponse(userSchema, "The updated user"), ...errorResponses(400, 401, 403, 404, 415) },
  });

export const putUserRoute = updateUser("put");
export const patchUserRoute = updateUser("patch");

