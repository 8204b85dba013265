import { ctxOf, type AppContext } from "../../context";
import { currentUser } from "../../lib/auth";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import {
  assignOrderRoute,
  changeOrderStatusRoute,
  createOrderRoute,
  getOrderRoute,
  listOrdersRoute,
} from "./orders.routes";
import { assignOrder, changeOrderStatus, createOrder, getOrder, listOrders } from "./orders.service";

/**
 * What orders need from outside when a cancel leaves money to give back: the app wires in payments'
 * settlement, so orders never imports payments (payments uses orders' commands the other way).
 */
export interface OrdersRouterDeps {
  settleOwedRefund: (ctx: AppContext, orderId: number, actorId: number) => Promise<void>;
}

export const createOrdersRouter = ({ settleOwedRefund }: OrdersRouterDeps) =>
  createRouter()
    .openapi(listOrdersRoute, async (c) => {
      const query = c.req.valid("query");
      return c.json(await listOrders(ctxOf(c), currentUser(c), c.req.url, pageRequest(query), query.status), 200);
    })
    .openapi(createOrderRoute, async (c) =>
      c.json(await createOrder(ctxOf(c), currentUser(c), c.req.valid("json")), 201),
    )
    .openapi(getOrderRoute, async (c) => c.json(await getOrder(ctxOf(c), currentUser(c), c.req.valid("param").id), 200))
    .openapi(assignOrderRoute, async (c) =>
      c.json(await assignOrder(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json")), 200),
    )
    .openapi(changeOrderStatusRoute, async (c) => {
      const user = currentUser(c);
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      const { order, refundOwed } = await changeOrderStatus(ctxOf(c), user, id, input);
      if (refundOwed) await settleOwedRefund(ctxOf(c), id, user.id);
      return c.json(order, 201);
    });
