// A client's orders: the list, one order with its status history (updated live), paying and canceling.
import { api, currentUser, unwrap } from "./api";
import { dateTime, field, h, input, statusBadge } from "./dom";
import { escrowActions, escrowInfo } from "./escrow";
import { actionButton, form } from "./forms";
import { pageNumber, pager } from "./pager";
import { reviewsPanel } from "./reviews";
import { navigate, refresh, route } from "./router";
import { conversation } from "./conversation";
import type { Order, OrderListItem, OrderStatus } from "./types";

const personName = (u: { first_name: string; username: string }) => u.first_name || u.username;

export function orderSummary(order: Order | OrderListItem, ...actions: (Node | null)[]): HTMLElement {
  const unread = "unread_messages" in order ? order.unread_messages : 0;
  return h(
    "li",
    { class: "card order", "data-order-id": order.id },
    h(
      "div",
      { class: "order-head" },
      h("h2", {}, h("a", { href: `#/orders/${order.id}` }, `#${order.id} · ${order.service.name}`)),
      statusBadge(order.status),
      unread ? h("a", { class: "badge unread-messages", href: `#/orders/${order.id}` }, `${unread} new message${unread === 1 ? "" : "s"}`) : null,
    ),
    h(
      "p",
      { class: "meta" },
      h("strong", { class: "price" }, `$${order.total_price}`),
      ` · ${dateTime(order.scheduled_date)} · ${order.address ?? "address shown once assigned"}`,
    ),
    h(
      "p",
      { class: "muted" },
      order.worker ? `Worker: ${personName(order.worker)}` : "No worker yet",
      ` · Client: ${personName(order.client)} (★ ${order.client_rating.rating}, ${order.client_rating.reviews_count} review${order.client_rating.reviews_count === 1 ? "" : "s"})`,
    ),
    escrowInfo(order),
    actions.some(Boolean) ? h("div", { class: "actions" }, ...actions) : null,
  );
}

export const changeStatus = (order: Order, status: OrderStatus) => async () => {
  await api.POST("/api/orders/{id}/status/", { params: { path: { id: order.id } }, body: { status } });
  await refresh();
};

function clientActions(order: Order): (Node | null)[] {
  if (currentUser()?.id !== order.client.id) return [];
  return [
    order.status === "pending" ? h("a", { class: "button primary", href: `#/orders/${order.id}/pay` }, "Pay now") : null,
    order.status === "pending" || order.status === "paid" ? actionButton("Cancel order", changeStatus(order, "canceled"), { class: "danger" }) : null,
    ...escrowActions(order),
  ];
}

const ORDER_STATUSES: readonly OrderStatus[] = ["pending", "paid", "in_progress", "completed", "canceled"];
/** The list's `status` filter from the URL, if it names a status. */
const orderStatus = (value: string | null) => ORDER_STATUSES.find((status) => status === value);

/** Conversation pushes update the conversation (and the list's unread counts), not the order page. */
const CONVERSATION_TYPES = ["order_message", "order_messages_read"];

const refreshOnOrderNews = (onNotification: (h: (n: { type: string; order_id: number | null }) => void) => void, orderId?: number) =>
  onNotification((n) => {
    if (orderId !== undefined && CONVERSATION_TYPES.includes(n.type)) return;
    if (n.order_id !== null && (orderId === undefined || n.order_id === orderId)) void refresh();
  });

route(
  "/orders",
  "My orders",
  async ({ query, onNotification }) => {
    const page = await unwrap(api.GET("/api/orders/", { params: { query: { status: orderStatus(query.get("status")), page: pageNumber(query) } } }));
    refreshOnOrderNews(onNotification);
    return h(
      "section",
      {},
      h("div", { class: "page-head" }, h("h1", {}, "My orders"), h("a", { class: "button", href: "#/services" }, "Book another service")),
      page.results.length
        ? h("ul", { class: "stack", "aria-label": "Orders" }, page.results.map((o) => orderSummary(o, ...clientActions(o))))
        : h("p", { class: "empty" }, "No orders yet. ", h("a", { href: "#/services" }, "Find a service")),
      pager(page, query, "#/orders"),
    );
  },
  ["client", "admin"],
);

function history(order: Order): HTMLElement {
  return h(
    "ol",
    { class: "timeline", "aria-label": "Status history" },
    order.status_history.map((entry) =>
      h(
        "li",
        {},
        statusBadge(entry.status),
        h("span", {}, ` ${dateTime(entry.created_at)} · ${entry.created_by ? personName(entry.created_by) : "system"}`),
        entry.comment ? h("q", {}, entry.comment) : null,
      ),
    ),
  );
}

route(
  "/orders/:id",
  "Order",
  async ({ params, onNotification }) => {
    const order = await unwrap(api.GET("/api/orders/{id}/", { params: { path: { id: Number(params.id) } } }));
    refreshOnOrderNews(onNotification, order.id);
    return h(
      "section",
      {},
      h("p", {}, h("a", { href: currentUser()?.role === "worker" ? "#/board" : "#/orders" }, "← Back")),
      h("ul", { class: "stack" }, orderSummary(order, ...clientActions(order))),
      h("div", { class: "card" }, h("h2", {}, "Details"), h("p", {}, order.description), h("h2", {}, "Status history"), history(order)),
      await reviewsPanel(order),
      conversation(order, onNotification),
    );
  },
  ["client", "worker", "admin"],
);

route(
  "/orders/:id/pay",
  "Pay for an order",
  async ({ params }) => {
    const order = await unwrap(api.GET("/api/orders/{id}/", { params: { path: { id: Number(params.id) } } }));
    if (order.status !== "pending") return h("section", { class: "narrow card" }, h("h1", {}, `Order #${order.id}`), h("p", {}, `This order is ${order.status.replace("_", " ")}; nothing to pay.`), h("a", { href: `#/orders/${order.id}` }, "View order"));
    // One key per form: a double submit or a retry after a network error is charged once.
    let idempotencyKey = crypto.randomUUID();
    return h(
      "section",
      { class: "narrow card" },
      h("h1", {}, `Pay for order #${order.id}`),
      h("p", { class: "total" }, `${order.service.name} × ${order.quantity}: `, h("strong", {}, `$${order.total_price}`)),
      h("p", { class: "muted" }, "Sandbox: card 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined."),
      form(
        { "aria-label": "Card payment" },
        [
          field("Name on card", input("card_holder_name", { autocomplete: "cc-name", required: true })),
          field("Card number", input("card_number", { autocomplete: "cc-number", inputmode: "numeric", required: true })),
          h(
            "div",
            { class: "row" },
            field("Expiry (MM/YY)", input("card_expiry", { autocomplete: "cc-exp", placeholder: "MM/YY", required: true })),
            field("CVC", input("card_cvv", { autocomplete: "cc-csc", inputmode: "numeric", required: true })),
          ),
        ],
        `Pay $${order.total_price}`,
        async ({ card_holder_name, card_number, card_expiry, card_cvv }) => {
          const payment = await unwrap(
            api.POST("/api/payments/order/{order_id}/pay/", {
              params: { path: { order_id: order.id }, header: { "idempotency-key": idempotencyKey } },
              body: { payment_method: "card", card_holder_name, card_number: card_number.replace(/\s+/g, ""), card_expiry, card_cvv },
            }),
          );
          if (payment.status !== "completed") {
            idempotencyKey = crypto.randomUUID(); // the same key would replay this failure
            throw new Error(payment.failure_message ?? "The payment failed.");
          }
          navigate(`#/orders/${order.id}`);
        },
      ),
    );
  },
  ["client"],
);
