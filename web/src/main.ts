// Entry point: the header (navigation follows the signed-in role), the router and live notifications.
import { currentUser, SESSION_EVENT } from "./api";
import { logOut } from "./auth";
import { byId, h, mount } from "./dom";
import { markAllRead, startNotifications } from "./notifications";
import { refresh, startRouter } from "./router";
import type { Role } from "./types";
import "./admin";
import "./escrow";
import "./orders";
import "./reviews";
import "./services";
import "./worker-board";

const NAV: Record<Role | "guest", [href: string, label: string][]> = {
  guest: [["#/services", "Services"], ["#/workers", "Workers"]],
  client: [["#/services", "Services"], ["#/workers", "Workers"], ["#/orders", "My orders"]],
  worker: [["#/board", "Job board"], ["#/earnings", "Earnings"], ["#/services", "Services"]],
  admin: [["#/admin/payments", "Payments"], ["#/orders", "Orders"], ["#/services", "Services"]],
};

function markCurrentLink(): void {
  const path = location.hash.split("?")[0];
  for (const link of document.querySelectorAll<HTMLAnchorElement>("#nav a")) {
    if (link.getAttribute("href") === path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function renderHeader(): void {
  const user = currentUser();
  const links = NAV[user?.role ?? "guest"].map(([href, label]) => h("a", { href }, label));
  if (user) links.push(h("a", { href: "#/notifications" }, "Inbox ", h("span", { class: "count", "data-unread": true, hidden: true, "aria-label": "unread" }, "0")));
  mount(byId("nav"), ...links);
  mount(
    byId("account"),
    user
      ? h("span", {}, h("span", { class: "who" }, `${user.username} · ${user.role}`), h("button", { type: "button", onclick: () => void logOut() }, "Log out"))
      : h("span", {}, h("a", { href: "#/login" }, "Log in"), h("a", { class: "button primary", href: "#/register" }, "Sign up")),
  );
  byId("feed").hidden = !user;
  markCurrentLink();
}

byId("feed-read-all").addEventListener("click", () => void markAllRead());
window.addEventListener(SESSION_EVENT, () => {
  renderHeader();
  if (!currentUser()) void refresh(); // signed out (or the session expired): leave pages that need an account
});
window.addEventListener("hashchange", markCurrentLink);
startNotifications();
renderHeader();
startRouter(byId("view"));
