import { h } from "./dom";
import type { PageLinks } from "./types";

/** Previous/next links for a paginated list shown at `base` (a hash route), keeping its other query params. */
/** The `page` query param as the API wants it (absent for the first page). */
export const pageNumber = (query: URLSearchParams): number | undefined => Number(query.get("page")) || undefined;

export function pager(page: PageLinks, query: URLSearchParams, base: string): HTMLElement | null {
  if (!page.next && !page.previous) return null;
  const current = Number(query.get("page") ?? 1);
  const link = (to: number, label: string) => {
    const params = new URLSearchParams(query);
    params.set("page", String(to));
    return h("a", { class: "button", href: `${base}?${params}` }, label);
  };
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    page.previous ? link(current - 1, "← Previous") : null,
    h("span", { class: "muted" }, `Page ${current}`),
    page.next ? link(current + 1, "Next →") : null,
  );
}
