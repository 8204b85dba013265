// The catalog: search and filter services, order one (clients), offer a new one (workers).
import { api, currentUser, unwrap } from "./api";
import { field, h, input, select } from "./dom";
import { form } from "./forms";
import { pageNumber, pager } from "./pager";
import { navigate, route } from "./router";
import type { Service } from "./types";

const categories = () => unwrap(api.GET("/api/services/categories/", { params: { query: { page_size: 100 } } })).then((p) => p.results);

function serviceCard(service: Service): HTMLElement {
  const role = currentUser()?.role;
  return h(
    "li",
    { class: "card service" },
    h("p", { class: "eyebrow" }, service.category.name),
    h("h2", {}, service.name),
    h("p", { class: "muted" }, service.description),
    h(
      "p",
      { class: "meta" },
      h("strong", { class: "price" }, `$${service.base_price}`),
      ` · ${service.duration_hours} h · by ${service.worker.first_name || service.worker.username}`,
    ),
    role === "client" || !role
      ? h("a", { class: "button primary", href: `#/services/${service.id}/order`, "aria-label": `Order ${service.name}` }, "Order")
      : null,
  );
}

route("/services", "Services", async ({ query }) => {
  const search = query.get("search") ?? "";
  const category = query.get("category") ?? "";
  const [cats, page] = await Promise.all([
    categories(),
    unwrap(api.GET("/api/services/", { params: { query: { search: search || undefined, category: Number(category) || undefined, page: pageNumber(query), page_size: 12 } } })),
  ]);
  const filters = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Find services" },
    field("Search", input("search", { type: "search", value: search, placeholder: "e.g. plumbing, cleaning" })),
    field("Category", select("category", [["", "All categories"], ...cats.map((c): [string, string] => [String(c.id), c.name])], category)),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Search")),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams([...new FormData(filters)].map(([k, v]) => [k, String(v)]).filter(([, v]) => v));
    navigate(`#/services?${params}`);
  });
  return h(
    "section",
    {},
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, "Find a pro for the job"),
      currentUser()?.role === "worker" ? h("a", { class: "button", href: "#/services/new" }, "Offer a service") : null,
    ),
    filters,
    h("p", { class: "muted", role: "status" }, `${page.count} service${page.count === 1 ? "" : "s"} found`),
    page.results.length
      ? h("ul", { class: "grid", "aria-label": "Services" }, page.results.map(serviceCard))
      : h("p", { class: "empty" }, "No services match. Try another search."),
    pager(page, query, "#/services"),
  );
});

/** Default appointment: tomorrow at 09:00 local time, as a datetime-local value. */
function tomorrowMorning(): string {
  const d = new Date(Date.now() + 86_400_000);
  d.setHours(9, 0, 0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

route(
  "/services/:id/order",
  "Order a service",
  async ({ params }) => {
    const service = await unwrap(api.GET("/api/services/{id}/", { params: { path: { id: Number(params.id) } } }));
    return h(
      "section",
      { class: "narrow card" },
      h("h1", {}, `Order: ${service.name}`),
      h("p", { class: "muted" }, `$${service.base_price} per job · ${service.duration_hours} h · ${service.category.name}`),
      form(
        { "aria-label": "Order details" },
        [
          field("What do you need done?", h("textarea", { name: "description", rows: 4, required: true })),
          field("Address", input("address", { autocomplete: "street-address", required: true })),
          h(
            "div",
            { class: "row" },
            field("When", input("scheduled_date", { type: "datetime-local", value: tomorrowMorning(), required: true })),
            field("Quantity", input("quantity", { type: "number", min: 1, max: 100, value: 1, inputmode: "numeric" })),
          ),
        ],
        "Place order",
        async ({ description, address, scheduled_date, quantity }) => {
          const order = await unwrap(api.POST("/api/orders/create/", {
            body: {
              service_id: service.id,
              description,
              address,
              // datetime-local is the user's local time; the API wants an instant.
              scheduled_date: scheduled_date ? new Date(scheduled_date).toISOString() : "",
              quantity: Number(quantity || 1),
            },
          }));
          navigate(`#/orders/${order.id}/pay`);
        },
      ),
    );
  },
  ["client"],
);

route(
  "/services/new",
  "Offer a service",
  async () => {
    const cats = await categories();
    return h(
      "section",
      { class: "narrow card" },
      h("h1", {}, "Offer a service"),
      form(
        { "aria-label": "New service" },
        [
          field("Name", input("name", { required: true })),
          field("Description", h("textarea", { name: "description", rows: 4 })),
          field("Category", select("category_id", cats.map((c): [string, string] => [String(c.id), c.name]))),
          h(
            "div",
            { class: "row" },
            field("Price (USD)", input("base_price", { inputmode: "decimal", placeholder: "80.00", required: true })),
            field("Duration (hours)", input("duration_hours", { type: "number", min: 1, value: 1 })),
          ),
        ],
        "Publish service",
        async ({ name, description, category_id, base_price, duration_hours }) => {
          const service = await unwrap(
            api.POST("/api/services/", {
              body: { name, description, category_id: Number(category_id), base_price, duration_hours: Number(duration_hours || 1) },
            }),
          );
          navigate(`#/services?search=${encodeURIComponent(service.name)}`);
        },
      ),
    );
  },
  ["worker"],
);
