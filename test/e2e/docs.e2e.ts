// The interactive API docs render in a real browser with no network but the Worker itself: every
// request the pages make must go to the dev server (no CDN), and the operations must show up.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, launchBrowser, screenshot } from "./helpers";

describe("API docs pages", () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens `path` while refusing every request that leaves the dev server, and records them. */
  async function openOffline(path: string): Promise<{ page: Page; outside: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(20_000);
    const outside: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(baseUrl()) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    await page.goto(`${baseUrl()}${path}`);
    return { page, outside };
  }

  it("Swagger UI lists the operations", async () => {
    const { page, outside } = await openOffline("/api/schema/swagger-ui/");
    await page.locator(".swagger-ui .info .title", { hasText: "Service Marketplace API" }).waitFor();
    await page.locator('.opblock-summary-path[data-path="/api/orders/create/"]').first().waitFor();
    await screenshot(page, "20-swagger-ui");
    expect(outside).toEqual([]);
  });

  it("ReDoc renders the document", async () => {
    const { page, outside } = await openOffline("/api/schema/redoc/");
    await page.getByRole("heading", { name: /Service Marketplace API/ }).first().waitFor();
    await page.getByText("/api/payments/order/{order_id}/pay/").first().waitFor({ state: "attached" });
    await screenshot(page, "21-redoc");
    expect(outside, outside.join(" ")).toEqual([]);
  });
});
