// Reviews: both parties of a completed order review each other (double-blind), and the public worker
// directory with each worker's published reviews.
import { api, currentUser, unwrap } from "./api";
import { dateTime, field, h, select, statusBadge } from "./dom";
import { form } from "./forms";
import { pageNumber, pager } from "./pager";
import { refresh, route } from "./router";
import type { Order } from "./types";

const stars = (rating: number) => h("span", { class: "stars", "aria-label": `${rating} out of 5 stars` }, "★".repeat(rating) + "☆".repeat(5 - rating));
const personName = (u: { first_name: string; username: string }) => u.first_name || u.username;

/** The order's reviews and, for a party who has not reviewed a completed order yet, the form to write one. */
export async function reviewsPanel(order: Order): Promise<HTMLElement | null> {
  const me = currentUser();
  if (order.status !== "completed" || !me) return null;
  const page = await unwrap(api.GET("/api/orders/{id}/reviews/", { params: { path: { id: order.id }, query: { page_size: 100 } } }));
  const myRole = me.id === order.client.id ? "client" : me.id === order.worker?.id ? "worker" : null;
  const mine = page.results.find((r) => r.author.id === me.id);
  const other = myRole === "client" ? order.worker : order.client;
  const items = page.results.map((r) =>
    h(
      "li",
      { class: "review", "data-review-id": r.id },
      h("p", {}, h("strong", {}, r.author.id === me.id ? "Your review" : `${personName(r.author)}'s review`), " ", statusBadge(r.status), " ", r.rating === null ? null : stars(r.rating)),
      r.comment ? h("q", {}, r.comment) : null,
      r.rating === null ? h("p", { class: "muted" }, `Shown once you have reviewed too, or after ${dateTime(r.publish_due_at)}.`) : null,
      r.hidden_reason ? h("p", { class: "muted" }, `Hidden by a moderator: ${r.hidden_reason}`) : null,
    ),
  );
  const reviewForm =
    myRole && !mine && other && Date.parse(page.results[0]?.publish_due_at ?? "9999-01-01") > Date.now()
      ? form(
          { "aria-label": "Your review" },
          [
            field(`Rating for ${personName(other)}`, select("rating", [["5", "5 – excellent"], ["4", "4 – good"], ["3", "3 – okay"], ["2", "2 – poor"], ["1", "1 – bad"]], "5")),
            field("Comment (optional)", h("textarea", { name: "comment", rows: 3, maxlength: 2000 })),
          ],
          "Submit review",
          async ({ rating, comment }) => {
            await unwrap(api.POST("/api/orders/{id}/reviews/", { params: { path: { id: order.id } }, body: { rating: Number(rating), comment } }));
            await refresh();
          },
        )
      : null;
  return h(
    "div",
    { class: "card", style: "margin-top: 1rem", "aria-labelledby": "reviews-title" },
    h("h2", { id: "reviews-title" }, "Reviews"),
    h("p", { class: "muted" }, "Reviews are double-blind: each stays hidden from the other party until both have reviewed or the review window closes."),
    items.length ? h("ul", { class: "stack", "aria-label": "Order reviews" }, items) : h("p", { class: "empty" }, "No reviews yet."),
    reviewForm,
  );
}

route("/workers", "Workers", async ({ query }) => {
  const page = await unwrap(api.GET("/api/workers/", { params: { query: { ordering: "-rating", page: pageNumber(query), page_size: 12 } } }));
  return h(
    "section",
    {},
    h("div", { class: "page-head" }, h("h1", {}, "Workers"), h("p", { class: "muted" }, "Best rated first (a Bayesian average: many good reviews beat one perfect one).")),
    h(
      "ul",
      { class: "grid", "aria-label": "Workers" },
      page.results.map((w) =>
        h(
          "li",
          { class: "card" },
          h("h2", {}, h("a", { href: `#/workers/${w.id}` }, personName(w.user))),
          h("p", { class: "meta" }, `★ ${w.rating} · ${w.reviews_count} review${w.reviews_count === 1 ? "" : "s"}`),
          w.bio ? h("p", { class: "muted" }, w.bio) : null,
        ),
      ),
    ),
    pager(page, query, "#/workers"),
  );
});

route("/workers/:id", "Worker", async ({ params, query }) => {
  const id = Number(params.id);
  const [profile, page] = await Promise.all([
    unwrap(api.GET("/api/workers/{id}/", { params: { path: { id } } })),
    unwrap(api.GET("/api/workers/{id}/reviews/", { params: { path: { id }, query: { page: pageNumber(query) } } })),
  ]);
  return h(
    "section",
    {},
    h("p", {}, h("a", { href: "#/workers" }, "← Workers")),
    h(
      "div",
      { class: "card" },
      h("h1", {}, personName(profile.user)),
      h("p", { class: "meta", "data-rating": profile.rating }, `★ ${profile.rating} · ${profile.reviews_count} review${profile.reviews_count === 1 ? "" : "s"}`),
      profile.bio ? h("p", {}, profile.bio) : null,
    ),
    h("h2", { style: "margin: 1.5rem 0 .75rem" }, "Reviews"),
    page.results.length
      ? h(
          "ul",
          { class: "stack", "aria-label": "Worker reviews" },
          page.results.map((r) =>
            h("li", { class: "card review" }, h("p", {}, stars(r.rating), ` · ${personName(r.author)} · ${dateTime(r.published_at)}`), r.comment ? h("q", {}, r.comment) : null),
          ),
        )
      : h("p", { class: "empty" }, "No published reviews yet."),
    pager(page, query, `#/workers/${id}`),
  );
});
