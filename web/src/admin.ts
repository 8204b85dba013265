// Admins: every payment, with full or partial refunds.
import { api, unwrap } from "./api";
import { dateTime, field, h, input, statusBadge } from "./dom";
import { form } from "./forms";
import { pageNumber, pager } from "./pager";
import { refresh, route } from "./router";
import type { Payment } from "./types";

const REFUNDABLE = ["completed", "partially_refunded"];

function refundForm(payment: Payment): HTMLElement {
  return form(
    { class: "inline", "aria-label": `Refund payment ${payment.id}` },
    [field("Amount", input("amount", { inputmode: "decimal", placeholder: "all", size: 7 }))],
    "Refund",
    async ({ amount }) => {
      await api.POST("/api/payments/{id}/refund/", { params: { path: { id: payment.id } }, body: amount ? { amount } : {} });
      await refresh();
    },
  );
}

route(
  "/admin/payments",
  "Payments",
  async ({ query, onNotification }) => {
    const page = await unwrap(api.GET("/api/payments/", { params: { query: { page: pageNumber(query) } } }));
    onNotification((n) => {
      if (n.type === "payment_notification") void refresh();
    });
    return h(
      "section",
      {},
      h("h1", {}, "Payments"),
      h("p", { class: "muted" }, `${page.count} payment${page.count === 1 ? "" : "s"}`),
      page.results.length
        ? h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              {},
              h("thead", {}, h("tr", {}, ["Payment", "Order", "Amount", "Refunded", "Status", "Date", "Refund"].map((t) => h("th", { scope: "col" }, t)))),
              h(
                "tbody",
                {},
                page.results.map((p) =>
                  h(
                    "tr",
                    { "data-payment-id": p.id },
                    h("td", {}, h("code", { title: p.id }, p.id.slice(0, 8))),
                    h("td", {}, h("a", { href: `#/orders/${p.order}` }, `#${p.order}`)),
                    h("td", {}, `${p.amount} ${p.currency.toUpperCase()}`),
                    h("td", {}, p.refunded_amount),
                    h("td", {}, statusBadge(p.status), p.failure_message ? h("small", { class: "muted" }, ` ${p.failure_message}`) : null),
                    h("td", {}, dateTime(p.created_at)),
                    h("td", {}, REFUNDABLE.includes(p.status) ? refundForm(p) : "—"),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "empty" }, "No payments yet."),
      pager(page, query, "#/admin/payments"),
    );
  },
  ["admin"],
);
