import { chromium, type Browser, type Page } from "playwright-core";
import { inject } from "vitest";
import { ADMIN, ARTIFACTS } from "./artifacts";

export { ADMIN };
export const baseUrl = () => inject("baseUrl");

/** Debian's chromium, headless (see TOOLCHAIN.md "Browser tests"). */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });

let counter = 0;
/** A name no other test or run has used (each run starts with an empty database, but tests share it). */
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++counter}`;

/** A fresh browser context (its own in-memory session) with the app open; `initScript` runs before the app's. */
export async function openApp(browser: Browser, initScript?: () => void): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(15_000);
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  await page.goto(`${baseUrl()}/`);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

/** Signs up through the form (and is logged in by it). */
export async function signUp(page: Page, role: "client" | "worker", username: string, firstName: string): Promise<void> {
  await page.goto(`${baseUrl()}/#/register`);
  await page.getByLabel("I want to").selectOption(role);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("First name").fill(firstName);
  await page.getByLabel("Password").fill("correct-Horse-9");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl()}/#/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

/** Waits until the live notification socket says it is connected. */
export const waitUntilLive = (page: Page) => page.locator('#feed-status[data-state="live"]').waitFor();

/** JSON API call outside the browser (setup the UI has no screen for, e.g. categories). */
export async function apiCall<T>(path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${baseUrl()}${path}`, {
    method: init.method ?? (init.body ? "POST" : "GET"),
    headers: { "Content-Type": "application/json", ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  if (!response.ok) throw new Error(`${path} → ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function adminToken(): Promise<string> {
  return (await apiCall<{ access: string }>("/api/auth/login/", { body: ADMIN })).access;
}
