import { ctxOf } from "../../context";
import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { currentUser } from "../../lib/auth";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import { endUserSockets } from "../notifications/user-sockets";
import {
  getUserRoute,
  listUsersRoute,
  loginRoute,
  logoutRoute,
  patchUserRoute,
  putUserRoute,
  refreshRoute,
  registerRoute,
} from "./accounts.routes";
import { badCredentials, login, logout, register, rotateRefreshToken } from "./auth.service";
import { loginLockout } from "./login-lockout";
import { getUser, listUsers, updateUser } from "./users.service";

/** PUT and PATCH: a change that ended the user's sessions also closes their sockets. */
async function applyUserUpdate(c: Context<AppEnv>, id: number, input: Parameters<typeof updateUser>[3]) {
  const { user, sessionsEnded } = await updateUser(ctxOf(c), currentUser(c), id, input);
  if (sessionsEnded) await endUserSockets(c.env.USER_NOTIFICATIONS, id, "Your account changed; sign in again.");
  return user;
}

export const accountsRouter = createRouter()
  .openapi(registerRoute, async (c) => {
    return c.json(await register(ctxOf(c), c.req.valid("json")), 201);
  })
  .openapi(loginRoute, async (c) => {
    const { username, password } = c.req.valid("json");
    const lockout = loginLockout(c, username);
    await lockout.ensureNotLocked();
    const session = await login(ctxOf(c), username, password);
    if (!session) {
      await lockout.recordFailure();
      throw badCredentials();
    }
    return c.json(session, 200);
  })
  .openapi(refreshRoute, async (c) => {
    const { refresh } = c.req.valid("json");
    return c.json(await rotateRefreshToken(ctxOf(c), refresh), 200);
  })
  .openapi(logoutRoute, async (c) => {
    const userId = currentUser(c).id;
    await logout(ctxOf(c), userId, c.req.valid("json").refresh);
    await endUserSockets(c.env.USER_NOTIFICATIONS, userId, "Signed out.");
    return c.body(null, 204);
  })
  .openapi(listUsersRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listUsers(ctxOf(c), c.req.url, pageRequest(query), query.role), 200);
  })
  .openapi(getUserRoute, async (c) => c.json(await getUser(ctxOf(c), currentUser(c), c.req.valid("param").id), 200))
  .openapi(putUserRoute, async (c) => c.json(await applyUserUpdate(c, c.req.valid("param").id, c.req.valid("json")), 200))
  .openapi(patchUserRoute, async (c) => c.json(await applyUserUpdate(c, c.req.valid("param").id, c.req.valid("json")), 200));
