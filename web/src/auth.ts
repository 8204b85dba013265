// Sign up, log in and log out. Tokens live only in memory (see api.ts): a reload signs you out.
import { api, currentUser, endSession, refreshToken, startSession, unwrap } from "./api";
import { field, h, input, select } from "./dom";
import { form } from "./forms";
import { navigate, route } from "./router";
import type { Role } from "./types";

const homeOf = (role: Role) => ({ client: "#/services", worker: "#/board", admin: "#/admin/payments" })[role];

async function logIn(username: string, password: string, next: string | null): Promise<void> {
  const { access, refresh, user } = await unwrap(api.POST("/api/auth/login/", { body: { username, password } }));
  startSession({ access, refresh }, user);
  navigate(next?.startsWith("#/") ? next : homeOf(user.role));
}

export async function logOut(): Promise<void> {
  const refresh = refreshToken();
  if (refresh) await api.POST("/api/auth/logout/", { body: { refresh } }).catch(() => undefined);
  endSession();
  navigate("#/login");
}

route("/login", "Log in", ({ query }) =>
  h(
    "section",
    { class: "narrow card" },
    h("h1", {}, "Log in"),
    form(
      { "aria-label": "Log in" },
      [
        field("Username", input("username", { autocomplete: "username", required: true })),
        field("Password", input("password", { type: "password", autocomplete: "current-password", required: true })),
      ],
      "Log in",
      ({ username, password }) => logIn(username, password, query.get("next")),
    ),
    h("p", {}, "New here? ", h("a", { href: "#/register" }, "Create an account")),
  ),
);

route("/register", "Sign up", () =>
  h(
    "section",
    { class: "narrow card" },
    h("h1", {}, "Create an account"),
    form(
      { "aria-label": "Sign up" },
      [
        field("I want to", select("role", [["client", "Book services"], ["worker", "Offer my services (worker)"]])),
        field("Username", input("username", { autocomplete: "username", required: true })),
        field("Email", input("email", { type: "email", autocomplete: "email" })),
        h(
          "div",
          { class: "row" },
          field("First name", input("first_name", { autocomplete: "given-name" })),
          field("Last name", input("last_name", { autocomplete: "family-name" })),
        ),
        field("Password", input("password", { type: "password", autocomplete: "new-password", required: true }), "At least 8 characters, not only digits."),
      ],
      "Sign up",
      async ({ role, username, email, first_name, last_name, password }) => {
        await api.POST("/api/auth/register/", { body: { role: role === "worker" ? "worker" : "client", username, email, first_name, last_name, password } });
        await logIn(username, password, null);
      },
    ),
    h("p", {}, "Already have an account? ", h("a", { href: "#/login" }, "Log in")),
  ),
);

/** Where "/" leads: the signed-in user's home, or the catalog. */
route("/", "Home", () => {
  navigate(homeOf(currentUser()?.role ?? "client"));
  return h("p", {}, "Loading…");
});
