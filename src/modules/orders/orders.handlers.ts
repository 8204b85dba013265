import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { currentUser } from "../../lib/auth";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import type { Effects } from "../notifications/notification-events";
import {
  assignOrderRoute,
  changeOrderStatusRoute,
  createOrderRoute,
  getOrderRoute,
  listOrdersRoute,
} from "./orders.routes";
import { assignOrder, changeOrderStatus, createOrder, getOrder, listOrders } from "./orders.service";

const effectsOf = (c: Context<AppEnv>): Effects => ({
  jobs: c.env.JOBS,
  waitUntil: (promise) => c.executionCtx.waitUntil(promise),
});

export const ordersRouter = createRouter()
  .openapi(listOrdersRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listOrders(c.get("db"), currentUser(c), c.req.url, pageRequest(query), query.status), 200);
  })
  .openapi(createOrderRoute, async (c) =>
    c.json(await createOrder(c.get("db"), effectsOf(c), currentUser(c), c.req.valid("json")), 201),
  )
  .openapi(getOrderRoute, async (c) => c.json(await getOrder(c.get("db"), currentUser(c), c.req.valid("param").id), 200))
  .openapi(assignOrderRoute, async (c) =>
    c.json(await assignOrder(c.get("db"), effectsOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(changeOrderStatusRoute, async (c) =>
    c.json(await changeOrderStatus(c.get("db"), effectsOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json")), 201),
  );
