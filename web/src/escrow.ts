// Escrow in the client: what an order's money is doing, a client's confirm and dispute, and a
// worker's earnings page (payout account onboarding, totals, transfers).
import { api, ApiError, currentUser, unwrap } from "./api";
import { dateTime, field, h } from "./dom";
import { actionButton, form } from "./forms";
import { pageNumber, pager } from "./pager";
import { navigate, refresh, route } from "./router";
import type { Order } from "./types";

type Escrow = NonNullable<Order["escrow"]>;

const STATUS_TEXT: Record<Escrow["status"], (e: Escrow) => string> = {
  held: (e) => (e.release_at ? `Payment held: $${e.worker_amount} goes to the worker ${dateTime(e.release_at)}` : "Payment held until the job is completed"),
  disputed: () => "Payment on hold: the client opened a dispute",
  awaiting_account: (e) => `$${e.worker_amount} is due, waiting for the worker's payout account`,
  releasing: (e) => `$${e.worker_amount} is on its way to the worker`,
  released: (e) => `$${e.worker_amount} paid to the worker${e.released_at ? ` ${dateTime(e.released_at)}` : ""}`,
  refunded: () => "Payment refunded to the client",
};

/** One line about the order's money (platform fee included), and the dispute if there is one. */
export function escrowInfo(order: Order): HTMLElement | null {
  const e = order.escrow;
  if (!e) return null;
  return h(
    "div",
    { class: "escrow", "data-escrow-status": e.status },
    h("p", {}, STATUS_TEXT[e.status](e), h("span", { class: "muted" }, ` · platform fee $${e.platform_fee}`)),
    e.dispute
      ? h("p", { class: "muted" }, `Dispute: “${e.dispute.reason}”`, e.dispute.resolution ? ` · resolved: ${e.dispute.resolution}` : " · waiting for an admin")
      : null,
  );
}

const confirm = (order: Order) => async () => {
  await unwrap(api.POST("/api/orders/{id}/confirm/", { params: { path: { id: order.id } } }));
  await refresh();
};

/** The client's buttons: confirm a completed job (releases the money now), or dispute it before the release. */
export function escrowActions(order: Order): (Node | null)[] {
  const e = order.escrow;
  if (!e || currentUser()?.id !== order.client.id || e.status !== "held") return [];
  const windowOpen = !e.release_at || Date.parse(e.release_at) > Date.now();
  const started = order.status === "in_progress" || order.status === "completed";
  return [
    order.status === "completed" ? actionButton("Confirm received", confirm(order), { class: "primary" }) : null,
    started && windowOpen && !e.dispute ? h("a", { class: "button danger", href: `#/orders/${order.id}/dispute` }, "Open a dispute") : null,
  ];
}

route(
  "/orders/:id/dispute",
  "Open a dispute",
  async ({ params }) => {
    const order = await unwrap(api.GET("/api/orders/{id}/", { params: { path: { id: Number(params.id) } } }));
    return h(
      "section",
      { class: "narrow card" },
      h("h1", {}, `Dispute order #${order.id}`),
      h("p", { class: "muted" }, "The payment stays on hold until an admin resolves the dispute; the worker and the admins are told."),
      form(
        { "aria-label": "Dispute" },
        [field("What went wrong?", h("textarea", { name: "reason", required: true, rows: 4 }))],
        "Open dispute",
        async ({ reason }) => {
          await unwrap(api.POST("/api/orders/{id}/dispute/", { params: { path: { id: order.id } }, body: { reason } }));
          navigate(`#/orders/${order.id}`);
        },
      ),
    );
  },
  ["client"],
);

async function payoutAccountCard(): Promise<HTMLElement> {
  // 404: no account yet.
  const account = await unwrap(api.GET("/api/workers/me/payout-account/")).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  });
  const setUp = actionButton(account ? "Continue onboarding" : "Set up payouts", async () => {
    const created = await unwrap(api.POST("/api/workers/me/payout-account/"));
    if (created.onboarding_url) location.assign(created.onboarding_url);
  }, { class: "primary" });
  return h(
    "div",
    { class: "card", "aria-label": "Payout account" },
    h("h2", {}, "Payout account"),
    account
      ? h("p", {}, "Status: ", h("strong", { "data-payout-status": account.status }, account.status), account.requirements.length ? ` · still needed: ${account.requirements.join(", ")}` : "")
      : h("p", { class: "muted" }, "No payout account yet: your earnings wait until you set one up."),
    account?.status === "enabled" ? null : setUp,
  );
}

route(
  "/earnings",
  "Earnings",
  async ({ query, onNotification }) => {
    const [earnings, payouts, accountCard] = await Promise.all([
      unwrap(api.GET("/api/workers/me/earnings/")),
      unwrap(api.GET("/api/payouts/", { params: { query: { page: pageNumber(query) } } })),
      payoutAccountCard(),
    ]);
    onNotification((n) => {
      if (n.type === "payout_notification") void refresh();
    });
    const total = (label: string, amount: string) => h("div", { class: "card total" }, h("p", { class: "muted" }, label), h("strong", { "data-total": label }, `$${amount}`));
    return h(
      "section",
      {},
      h("div", { class: "page-head" }, h("h1", {}, "Earnings")),
      h("div", { class: "columns" }, total("Held", earnings.held), total("Available", earnings.available), total("Paid out", earnings.paid_out)),
      accountCard,
      h("h2", {}, "Payouts"),
      payouts.results.length
        ? h(
            "ul",
            { class: "stack", "aria-label": "Payouts" },
            payouts.results.map((p) =>
              h(
                "li",
                { class: "card" },
                h("a", { href: `#/orders/${p.order_id}` }, `Order #${p.order_id}`),
                ` · $${p.worker_amount} (fee $${p.platform_fee}${p.reversed !== "0.00" ? `, reversed $${p.reversed}` : ""}) · ${p.status.replace("_", " ")}`,
                p.released_at ? ` · ${dateTime(p.released_at)}` : "",
              ),
            ),
          )
        : h("p", { class: "empty" }, "No payouts yet."),
      pager(payouts, query, "#/earnings"),
    );
  },
  ["worker"],
);
