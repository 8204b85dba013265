// The web client and D1 read replicas: no bookmark while only browsing (so the edge cache can answer),
// then, from the first write on, the newest bookmark it has received on every request.
import type { Browser, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, launchBrowser, openApp, signUp, unique } from "./helpers";

describe("D1 bookmark in the web client", () => {
  let browser: Browser;
  let page: Page;
  const sent: { method: string; path: string; bookmark: string | null }[] = [];
  const seen = new Set<Request>();
  let firstWriteBookmark: string | null = null;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await openApp(browser);
  });

  afterAll(async () => {
    await browser?.close();
  });

  // `hash` must differ from the page's current one (the app starts on #/services), so the app fetches
  // again; waits for the answer to a request this test saw leave, not one of the first load's.
  const openCatalog = (hash: string) =>
    Promise.all([
      page.waitForResponse((r) => seen.has(r.request()) && new URL(r.url()).pathname === "/api/services/"),
      page.goto(`${baseUrl()}/${hash}`),
    ]);
  const apiRequests = () => sent.filter((r) => r.path.startsWith("/api/"));

  it("browses the catalog without a bookmark, then never sends one older than its first write", async () => {
    page.on("request", (request) => {
      const url = new URL(request.url());
      seen.add(request);
      sent.push({ method: request.method(), path: url.pathname, bookmark: request.headers()["x-d1-bookmark"] ?? null });
    });
    page.on("response", (response) => {
      if (response.request().method() === "POST" && new URL(response.url()).pathname.startsWith("/api/")) {
        firstWriteBookmark ??= response.headers()["x-d1-bookmark"] ?? null;
      }
    });
    await openCatalog("#/services?search=");
    expect(apiRequests().some((r) => r.path.startsWith("/api/services/"))).toBe(true);
    expect(apiRequests().every((r) => r.bookmark === null)).toBe(true);

    await signUp(page, "worker", unique("bookie"), "Bo");
    const firstWrite = apiRequests().findIndex((r) => r.method === "POST");
    await openCatalog("#/services"); // signing up went to the worker's home page
    expect(firstWriteBookmark).toMatch(/^[0-9a-f-]{59}$/);
    const afterWrite = apiRequests().slice(firstWrite + 1);
    expect(afterWrite.some((r) => r.path.startsWith("/api/services/"))).toBe(true);
    const bookmarks = afterWrite.map((r) => r.bookmark);
    for (const bookmark of bookmarks) {
      expect(bookmark).not.toBeNull();
      expect(bookmark! >= firstWriteBookmark!).toBe(true);
    }
    expect(bookmarks).toEqual([...bookmarks].sort());
  });
});
