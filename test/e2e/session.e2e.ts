// Signing up and in through the forms: API errors shown where they belong, the refresh flow with
// rotation when an access token is refused, and logging out.
import type { Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, launchBrowser, openApp, screenshot, signUp, unique } from "./helpers";

describe("session", () => {
  let browser: Browser;
  let page: Page;
  const username = unique("sam");

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await openApp(browser);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("shows field errors from the API under their fields", async () => {
    await page.goto(`${page.url().split("#")[0]}#/register`);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("1234");
    await page.getByRole("button", { name: "Sign up" }).click();
    const emailError = page.locator('[data-field="email"] .field-error');
    await emailError.waitFor();
    expect(await emailError.textContent()).toMatch(/valid email/);
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("Email").fill("sam@example.com");
    await page.getByRole("button", { name: "Sign up" }).click();
    const passwordError = page.locator('[data-field="password"] .field-error');
    await passwordError.waitFor();
    expect(await passwordError.textContent()).toMatch(/too short/);
    expect(await emailError.isHidden()).toBe(true);
    expect(await page.locator(".form-error").textContent()).toMatch(/correct the highlighted fields \(request id [0-9a-f-]{36}\)/);
    await screenshot(page, "10-register-errors");
  });

  it("signs up, then refuses a wrong password with the server's message and request id", async () => {
    await signUp(page, "client", username, "Sam");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Log in" }).waitFor();

    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill("wrong-Password-1");
    await page.getByRole("button", { name: "Log in" }).click();
    const alert = page.locator(".form-error");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/request id [0-9a-f-]{36}/);
  });

  it("pages that need an account send a signed-out visitor to the login form and back", async () => {
    await page.goto(`${page.url().split("#")[0]}#/orders`);
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    expect(decodeURIComponent(page.url())).toContain("next=#/orders");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill("correct-Horse-9");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "My orders" }).waitFor();
  });

  it("refreshes a refused access token once, with the rotated refresh token each time", async () => {
    const sent: string[] = [];
    const issued: string[] = [];
    for (let round = 0; round < 2; round++) {
      // The next orders request is refused as if the access token had expired.
      let refused = false;
      await page.route("**/api/orders/**", async (route: Route) => {
        if (refused) return route.fallback();
        refused = true;
        await route.fulfill({ status: 401, contentType: "application/json", headers: { "WWW-Authenticate": "Bearer" }, body: '{"detail":"Token expired.","code":"not_authenticated"}' });
      });
      await page.getByRole("link", { name: "Services" }).click();
      await page.getByRole("heading", { name: "Find a pro for the job" }).waitFor();
      const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/auth/refresh/"));
      const retried = page.waitForResponse((r) => r.url().endsWith("/api/orders/") && r.status() === 200);
      await page.getByRole("link", { name: "My orders" }).click();
      const refresh = await refreshed;
      expect(refresh.status()).toBe(200);
      sent.push(refresh.request().postDataJSON().refresh);
      issued.push((await refresh.json()).refresh);
      await retried;
      await page.getByRole("heading", { name: "My orders" }).waitFor();
      await page.unrouteAll();
    }
    // The second refresh used the token the first one issued (reusing a rotated one would end the session).
    expect(sent[1]).toBe(issued[0]);
    expect(sent[1]).not.toBe(sent[0]);
    expect(await page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);
  });

  it("logs out: the refresh token stops working and the account pages are gone", async () => {
    const loggedOut = page.waitForRequest((r) => r.url().endsWith("/api/auth/logout/"));
    await page.getByRole("button", { name: "Log out" }).click();
    const { refresh } = (await loggedOut).postDataJSON();
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    expect(await page.getByRole("link", { name: "My orders" }).count()).toBe(0);
    const reuse = await fetch(`${baseUrl()}/api/auth/refresh/`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ refresh }) });
    expect(reuse.status).toBe(401);
    expect(await page.locator("#feed").isHidden()).toBe(true);
  });
});
