// A worker's job board: open orders they qualify for (accept) and their own jobs (start, complete).
import { api, currentUser, unwrap } from "./api";
import { h } from "./dom";
import { actionButton } from "./forms";
import { changeStatus, orderSummary } from "./orders";
import { refresh, route } from "./router";
import type { Order } from "./types";

const accept = (order: Order) => async () => {
  await api.POST("/api/orders/{id}/assign/", { params: { path: { id: order.id } }, body: {} });
  await refresh();
};

function jobActions(order: Order): (Node | null)[] {
  if (!order.worker) return [actionButton("Accept job", accept(order), { class: "primary" })];
  if (order.status === "pending") return [h("span", { class: "muted" }, "Waiting for the client's payment")];
  if (order.status === "paid") return [actionButton("Start work", changeStatus(order, "in_progress"), { class: "primary" })];
  if (order.status === "in_progress") return [actionButton("Mark completed", changeStatus(order, "completed"), { class: "primary" })];
  return [];
}

const list = (label: string, orders: Order[], empty: string) =>
  orders.length ? h("ul", { class: "stack", "aria-label": label }, orders.map((o) => orderSummary(o, ...jobActions(o)))) : h("p", { class: "empty" }, empty);

route(
  "/board",
  "Job board",
  async ({ onNotification }) => {
    const page = await unwrap(api.GET("/api/orders/", { params: { query: { page_size: 100 } } }));
    onNotification((n) => {
      if (n.order_id !== null) void refresh();
    });
    const me = currentUser()?.id;
    const open = page.results.filter((o) => !o.worker);
    const mine = page.results.filter((o) => o.worker?.id === me);
    const active = mine.filter((o) => o.status !== "completed" && o.status !== "canceled");
    return h(
      "section",
      {},
      h(
        "div",
        { class: "page-head" },
        h("h1", {}, "Job board"),
        h("span", { class: "actions" }, actionButton("Refresh", refresh), h("a", { class: "button", href: "#/services/new" }, "Offer a service")),
      ),
      h("div", { class: "columns" },
        h("section", { "aria-labelledby": "open-jobs" }, h("h2", { id: "open-jobs" }, `Open jobs (${open.length})`), list("Open jobs", open, "No open jobs right now. New ones appear here live.")),
        h("section", { "aria-labelledby": "my-jobs" }, h("h2", { id: "my-jobs" }, `My jobs (${active.length} active)`), list("My jobs", mine, "You have not accepted any jobs yet.")),
      ),
    );
  },
  ["worker"],
);
