// Hash routes (`#/orders/12?x=1`): each maps to a view that returns the page's content.
import { currentUser } from "./api";
import { h, mount } from "./dom";
import { errorBox } from "./forms";
import type { Notification, Role } from "./types";

interface ViewContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Runs `handler` for each live notification while this page is shown. */
  onNotification(handler: (n: Notification) => void): void;
}

type View = (ctx: ViewContext) => Promise<Node> | Node;

interface Route {
  pattern: RegExp;
  keys: string[];
  title: string;
  view: View;
  roles?: Role[];
}

/** Fired on `window` with a Notification as `detail` for each live push. */
export const NOTIFICATION_EVENT = "notification";

const routes: Route[] = [];
let outlet: HTMLElement;
const cleanups: (() => void)[] = [];
let renderCount = 0;

/** Registers a page; `roles` limits it to signed-in users with one of those roles. */
export function route(path: string, title: string, view: View, roles?: Role[]): void {
  const keys: string[] = [];
  const source = path.replace(/:(\w+)/g, (_, key: string) => {
    keys.push(key);
    return "([^/]+)";
  });
  routes.push({ pattern: new RegExp(`^${source}/?$`), keys, title, view, roles });
}

export const navigate = (hash: string) => {
  if (location.hash === hash) void render(true);
  else location.hash = hash;
};

export function startRouter(target: HTMLElement): void {
  outlet = target;
  window.addEventListener("hashchange", () => void render(true));
  void render(true);
}

/** Shows the current page again with fresh data (after a live update), keeping focus where it is. */
export const refresh = () => render(false);

async function render(moveFocus: boolean): Promise<void> {
  const current = ++renderCount;
  for (const cleanup of cleanups.splice(0)) cleanup();
  const [path = "/", search = ""] = location.hash.replace(/^#/, "").split("?");
  const match = routes.map((r) => ({ r, m: r.pattern.exec(path || "/") })).find((x): x is { r: Route; m: RegExpExecArray } => x.m !== null);
  if (!match) return show(current, "Not found", h("section", {}, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/services" }, "Browse services"))), moveFocus);
  const { r, m } = match;
  const user = currentUser();
  if (r.roles && !user) return navigate(`#/login?next=${encodeURIComponent(location.hash)}`);
  if (r.roles && user && !r.roles.includes(user.role)) {
    return show(current, r.title, h("section", {}, h("h1", {}, r.title), h("p", { class: "alert" }, `This page is for ${r.roles.join(" or ")} accounts.`)), moveFocus);
  }
  const params = Object.fromEntries(r.keys.map((key, i) => [key, decodeURIComponent(m[i + 1])]));
  const ctx: ViewContext = {
    params,
    query: new URLSearchParams(search),
    onNotification(handler) {
      const listener = (event: Event) => handler((event as CustomEvent<Notification>).detail);
      window.addEventListener(NOTIFICATION_EVENT, listener);
      cleanups.push(() => window.removeEventListener(NOTIFICATION_EVENT, listener));
    },
  };
  if (moveFocus) outlet.setAttribute("aria-busy", "true");
  let content: Node;
  try {
    content = await r.view(ctx);
  } catch (error) {
    content = h("section", {}, h("h1", {}, r.title), errorBox(error));
  }
  show(current, r.title, content, moveFocus);
}

function show(current: number, title: string, content: Node, moveFocus: boolean): void {
  if (current !== renderCount) return; // a newer navigation won
  outlet.removeAttribute("aria-busy");
  const scroll = window.scrollY;
  mount(outlet, content);
  document.title = `${title} · Handy Marketplace`;
  if (moveFocus) {
    outlet.querySelector<HTMLElement>("h1")?.setAttribute("tabindex", "-1");
    outlet.querySelector<HTMLElement>("h1")?.focus();
    window.scrollTo(0, 0);
  } else window.scrollTo(0, scroll);
}
