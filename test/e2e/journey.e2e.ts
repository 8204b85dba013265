// The done criterion of the web client: a client and a worker (and an admin) in separate browser
// contexts go through a whole order, each seeing the other's changes live, without reloading.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, apiCall, baseUrl, launchBrowser, logIn, openApp, screenshot, signUp, unique, waitUntilLive, ADMIN } from "./helpers";

/**
 * Lets the test cut the client's notification socket: while `__wsBlocked` is set, new sockets go to
 * a port nobody listens on, so the app stays disconnected and keeps retrying with backoff.
 */
function controllableSockets() {
  const Native = window.WebSocket;
  const w = window as unknown as { __sockets: WebSocket[]; __wsUrls: string[]; __wsBlocked: boolean };
  w.__sockets = [];
  w.__wsUrls = [];
  w.__wsBlocked = false;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      w.__wsUrls.push(String(url));
      super(w.__wsBlocked ? "ws://127.0.0.1:9/blocked" : url, protocols);
      w.__sockets.push(this);
    }
  };
}

const feedItem = (page: Page, text: string) => page.locator("#feed-list li", { hasText: text });
const orderBadge = (page: Page) => page.locator(".order-head .badge");

/** Marks the window; if the page reloads, the mark is gone. */
const markWindow = (page: Page) => page.evaluate(() => ((window as unknown as { __mark: number }).__mark = 1));
const stillSameWindow = (page: Page) => page.evaluate(() => (window as unknown as { __mark?: number }).__mark === 1);

describe("order journey", () => {
  let browser: Browser;
  let client: Page;
  let worker: Page;
  const serviceName = unique("Leaky tap fix ");
  const categoryName = unique("Plumbing ");
  let orderId: number;
  const workerName = unique("wanda");

  beforeAll(async () => {
    browser = await launchBrowser();
    // Categories are admin data with no screen in the client.
    await apiCall("/api/services/categories/", { token: await adminToken(), body: { name: categoryName, description: "Pipes, taps, drains" } });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("a worker signs up and offers a service", async () => {
    worker = await openApp(browser);
    await signUp(worker, "worker", workerName, "Wanda");
    await worker.getByRole("heading", { name: "Job board" }).waitFor();
    await worker.getByRole("link", { name: "Offer a service" }).click();
    await worker.getByLabel("Name").fill(serviceName);
    await worker.getByLabel("Description").fill("Fixes dripping taps and replaces washers.");
    await worker.getByLabel("Category").selectOption({ label: categoryName });
    await worker.getByLabel("Price (USD)").fill("80");
    await worker.getByLabel("Duration (hours)").fill("2");
    await worker.getByRole("button", { name: "Publish service" }).click();
    await worker.getByRole("heading", { name: serviceName }).waitFor();
    await screenshot(worker, "01-worker-service-published");

    await worker.getByRole("link", { name: "Job board" }).click();
    await worker.getByRole("heading", { name: "Job board" }).waitFor();
    await waitUntilLive(worker);
    await markWindow(worker);
  });

  it("a client finds the service by search and category and orders it", async () => {
    client = await openApp(browser, controllableSockets);
    await signUp(client, "client", unique("carl"), "Carl");
    await waitUntilLive(client);
    await client.getByRole("searchbox", { name: "Search" }).fill("tap");
    await client.getByLabel("Category").selectOption({ label: categoryName });
    // The catalog's first, unfiltered page may still be on screen: wait for the filtered answer.
    await Promise.all([
      client.waitForResponse((r) => r.url().includes("/api/services/?") && r.url().includes("search=tap")),
      client.getByRole("button", { name: "Search" }).click(),
    ]);
    const card = client.locator(".service", { hasText: serviceName });
    await card.waitFor();
    await expect.poll(() => client.locator(".service").count()).toBe(1);
    expect(await card.textContent()).toContain("$80.00");
    await screenshot(client, "02-client-catalog");

    await card.getByRole("link", { name: `Order ${serviceName}` }).click();
    await client.getByLabel("What do you need done?").fill("The kitchen tap drips all night.");
    await client.getByLabel("Address").fill("12 Harbour Street");
    await client.getByLabel("Quantity").fill("2");
    await client.getByRole("button", { name: "Place order" }).click();
    await client.getByRole("heading", { name: /Pay for order #\d+/ }).waitFor();
    orderId = Number(/#\/orders\/(\d+)\/pay/.exec(client.url())![1]);
    expect(await client.locator(".total").textContent()).toContain("$160.00");
  });

  it("the worker sees the new order appear live and accepts it", async () => {
    await feedItem(worker, `New order #${orderId} is available.`).waitFor();
    const job = worker.locator(`[data-order-id="${orderId}"]`);
    await job.getByRole("button", { name: "Accept job" }).waitFor();
    expect(await worker.locator("#feed .count").textContent()).not.toBe("0");
    await screenshot(worker, "03-worker-new-order-live");

    await job.getByRole("button", { name: "Accept job" }).click();
    await worker.locator('[aria-label="My jobs"]').getByText("Waiting for the client's payment").waitFor();
    expect(await stillSameWindow(worker)).toBe(true);
  });

  it("the client pays with a sandbox card and sees the assignment", async () => {
    await feedItem(client, `A worker was assigned to order #${orderId}.`).waitFor();
    const expiry = `12/${String((new Date().getFullYear() + 2) % 100).padStart(2, "0")}`;
    await client.getByLabel("Name on card").fill("Carl Client");
    await client.getByLabel("Card number").fill("4242 4242 4242 4242");
    await client.getByLabel("Expiry (MM/YY)").fill(expiry);
    await client.getByLabel("CVC").fill("123");
    await screenshot(client, "04-client-pay");
    await client.getByRole("button", { name: "Pay $160.00" }).click();
    await client.getByRole("heading", { name: "Status history" }).waitFor();
    await client.locator(".order-head .badge", { hasText: "paid" }).waitFor();
    await markWindow(client);
  });

  it("the worker starts the paid job; the client, briefly offline, catches up on reconnect", async () => {
    const job = worker.locator(`[data-order-id="${orderId}"]`);
    // The payment moved the order to paid: the assigned worker hears it live and the board updates itself.
    await feedItem(worker, `Order #${orderId} is now paid.`).waitFor();
    await job.getByRole("button", { name: "Start work" }).waitFor();

    // Cut the client's socket and keep it down while the order changes.
    await client.evaluate(() => {
      const w = window as unknown as { __sockets: WebSocket[]; __wsBlocked: boolean };
      w.__wsBlocked = true;
      for (const ws of w.__sockets) ws.close();
    });
    await client.locator('#feed-status:not([data-state="live"])').waitFor();
    await job.getByRole("button", { name: "Start work" }).click();
    await job.locator(".badge", { hasText: "in progress" }).waitFor();
    await feedItem(worker, `Order #${orderId} is now in progress.`).waitFor();
    // The worker's push is delivered; the client's socket is still down, so nothing arrived there.
    expect(await feedItem(client, `Order #${orderId} is now in progress.`).count()).toBe(0);

    await client.evaluate(() => {
      (window as unknown as { __wsBlocked: boolean }).__wsBlocked = false;
      window.dispatchEvent(new Event("online"));
    });
    await feedItem(client, `Order #${orderId} is now in progress.`).waitFor();
    await orderBadge(client).filter({ hasText: "in progress" }).waitFor();
    const urls = await client.evaluate(() => (window as unknown as { __wsUrls: string[] }).__wsUrls);
    expect(Number(new URL(urls.at(-1)!).searchParams.get("since"))).toBeGreaterThan(0);
  });

  it("the worker completes the job and the client sees it live", async () => {
    const job = worker.locator(`[data-order-id="${orderId}"]`);
    await job.getByRole("button", { name: "Mark completed" }).click();
    await job.locator(".badge", { hasText: "completed" }).waitFor();
    await screenshot(worker, "05-worker-board-completed");

    await feedItem(client, `Order #${orderId} is now completed.`).waitFor();
    await orderBadge(client).filter({ hasText: "completed" }).waitFor();
    const history = await client.locator(".timeline li .badge").allTextContents();
    expect(history[0]).toBe("pending");
    expect(history.slice(-3)).toEqual(["paid", "in progress", "completed"]);
    expect(await stillSameWindow(client)).toBe(true);
    expect(await stillSameWindow(worker)).toBe(true);
    await screenshot(client, "06-client-order-completed");
  });

  it("both parties review each other, double-blind, and the worker's public page shows the client's review", async () => {
    const comment = unique("Fixed the tap in no time ");
    await client.getByRole("form", { name: "Your review" }).waitFor();
    await client.getByLabel("Rating for Wanda").selectOption("4");
    await client.getByLabel("Comment (optional)").fill(comment);
    await client.getByRole("button", { name: "Submit review" }).click();
    await client.locator(".review", { hasText: "Your review" }).locator(".badge", { hasText: "pending" }).waitFor();

    // The worker is told a review exists, and sees neither its rating nor its comment until reviewing back.
    await feedItem(worker, `You received a review for order #${orderId}.`).waitFor();
    await worker.locator(`[data-order-id="${orderId}"] h2 a`).click();
    const reviews = worker.getByRole("list", { name: "Order reviews" });
    await reviews.locator(".badge", { hasText: "pending" }).waitFor();
    expect(await reviews.textContent()).not.toContain(comment);
    await worker.getByLabel("Rating for Carl").selectOption("5");
    await worker.getByRole("button", { name: "Submit review" }).click();
    await reviews.getByText(comment).waitFor();
    expect(await reviews.locator(".badge", { hasText: "published" }).count()).toBe(2);
    await screenshot(worker, "06b-worker-reviews-published");
    // The client hears of the publication live and sees the worker's review.
    await feedItem(client, `The reviews for order #${orderId} are published.`).waitFor();
    await client.locator(".review", { hasText: "Wanda's review" }).locator(".badge", { hasText: "published" }).waitFor();

    const directory = await apiCall<{ results: { id: number; user: { username: string } }[] }>("/api/workers/?page_size=100");
    const profileId = directory.results.find((w) => w.user.username === workerName)!.id;
    const visitor = await openApp(browser);
    await visitor.goto(`${baseUrl()}/#/workers/${profileId}`);
    await visitor.getByRole("list", { name: "Worker reviews" }).getByText(comment).waitFor();
    expect(await visitor.locator("[data-rating]").getAttribute("data-rating")).toBe("4.00");
    await screenshot(visitor, "06c-worker-page-reviews");
    await visitor.context().close();
  });

  it("an admin refunds the payment and the client is told live", async () => {
    const admin = await openApp(browser);
    await logIn(admin, ADMIN.username, ADMIN.password);
    await admin.getByRole("heading", { name: "Payments" }).waitFor();
    const row = admin.locator("tr", { has: admin.getByRole("link", { name: `#${orderId}`, exact: true }) });
    expect(await row.textContent()).toContain("160.00");
    await row.getByLabel("Amount").fill("60");
    await row.getByRole("button", { name: "Refund" }).click();
    await row.locator(".badge", { hasText: "partially refunded" }).waitFor();
    await screenshot(admin, "07-admin-payments");
    await row.getByRole("button", { name: "Refund" }).click();
    await row.locator(".badge", { hasText: /^refunded$/ }).waitFor();

    await feedItem(client, `Payment for order #${orderId} was refunded.`).first().waitFor();
    await screenshot(client, "08-client-refund-notified");
  });
});
