// The order page's conversation: a client and the assigned worker, each in their own browser (the
// client with two tabs), talk live without reloading; contact details stay masked until payment,
// markup shows as text, the read mark follows the reader's tabs, and the timeline mixes in status changes.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, apiCall, baseUrl, launchBrowser, logIn, screenshot, unique, waitUntilLive } from "./helpers";

const PASSWORD = "correct-Horse-9";

async function account(role: "client" | "worker", name: string) {
  const username = unique(name);
  await apiCall("/api/auth/register/", { body: { username, password: PASSWORD, role, first_name: name, email: `${username}@example.com` } });
  const { access } = await apiCall<{ access: string }>("/api/auth/login/", { body: { username, password: PASSWORD } });
  return { username, token: access };
}

const messages = (page: Page) => page.locator('[aria-label="Conversation"] .message');
const messageWith = (page: Page, text: string) => messages(page).filter({ hasText: text });

describe("order conversation", () => {
  let browser: Browser;
  let clientContext: BrowserContext;
  let client: Page;
  let clientTab2: Page;
  let worker: Page;
  let orderId: number;
  let clientName: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    const category = await apiCall<{ id: number }>("/api/services/categories/", { token: await adminToken(), body: { name: unique("Painting ") } });
    const w = await account("worker", "Wendy");
    const c = await account("client", "Chris");
    clientName = c.username;
    const service = await apiCall<{ id: number }>("/api/services/", {
      token: w.token,
      body: { name: unique("Wall painting "), description: "Walls and ceilings.", category_id: category.id, base_price: "120" },
    });
    const order = await apiCall<{ id: number }>("/api/orders/create/", {
      token: c.token,
      body: { service_id: service.id, description: "Paint the hallway.", address: "3 Elm Road", scheduled_date: new Date(Date.now() + 3 * 86_400_000).toISOString() },
    });
    orderId = order.id;
    await apiCall(`/api/orders/${orderId}/assign/`, { token: w.token, body: {} });

    clientContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    clientContext.setDefaultTimeout(15_000);
    client = await clientContext.newPage();
    await client.goto(`${baseUrl()}/`);
    await logIn(client, c.username, PASSWORD);
    const workerContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    workerContext.setDefaultTimeout(15_000);
    worker = await workerContext.newPage();
    await worker.goto(`${baseUrl()}/`);
    await logIn(worker, w.username, PASSWORD);
    for (const page of [client, worker]) {
      await page.goto(`${baseUrl()}/#/orders/${orderId}`);
      await page.getByRole("heading", { name: "Conversation" }).waitFor();
      await waitUntilLive(page);
    }
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("a message appears live on the other side, contact details masked until the order is paid", async () => {
    await client.getByRole("textbox", { name: "Message" }).fill("Hi! Call me on +1 555 123 4567 or chris@example.com.");
    await client.getByRole("button", { name: "Send" }).click();
    await messageWith(client, "chris@example.com").waitFor();
    expect(await client.getByRole("textbox", { name: "Message" }).inputValue()).toBe("");

    const received = messageWith(worker, "Hi! Call me on");
    await received.waitFor();
    expect(await received.locator(".message-body").textContent()).toBe("Hi! Call me on [phone hidden] or [email hidden].");
    await screenshot(worker, "messages-01-worker-live");
  });

  it("the worker's reply shows markup as text, live for the client, and the read mark syncs to the client's other tab", async () => {
    // A second tab of the client, on the orders list: the unread count there follows the first tab's reading.
    // (The session lives in the tab's memory: a new tab signs in.)
    clientTab2 = await clientContext.newPage();
    await clientTab2.goto(`${baseUrl()}/`);
    await logIn(clientTab2, clientName, PASSWORD);
    await clientTab2.goto(`${baseUrl()}/#/orders`);
    await clientTab2.getByRole("heading", { name: "My orders" }).waitFor();
    await waitUntilLive(clientTab2);
    // The first tab leaves the order page so the reply stays unread for now.
    await client.goto(`${baseUrl()}/#/orders`);
    await client.getByRole("heading", { name: "My orders" }).waitFor();

    await worker.getByRole("textbox", { name: "Message" }).fill("<b>Sure</b> — see you Tuesday");
    await worker.getByRole("button", { name: "Send" }).click();
    await messageWith(worker, "see you Tuesday").waitFor();

    const badge = clientTab2.locator(`[data-order-id="${orderId}"] .unread-messages`);
    await badge.filter({ hasText: "1 new message" }).waitFor();

    await client.goto(`${baseUrl()}/#/orders/${orderId}`);
    const reply = messageWith(client, "see you Tuesday");
    await reply.waitFor();
    expect(await reply.locator(".message-body").textContent()).toBe("<b>Sure</b> — see you Tuesday");
    expect(await reply.locator("b").count()).toBe(0);
    // Opening the conversation read it; the other tab hears so over its socket and drops the badge.
    await client.locator('[data-unread-messages="0"]').waitFor();
    await badge.waitFor({ state: "detached" });
    await screenshot(client, "messages-02-client-conversation");
  });

  it("after payment the worker sees the contact details, and the timeline lists status changes with the messages", async () => {
    await apiCall(`/api/payments/order/${orderId}/pay/`, {
      token: (await apiCall<{ access: string }>("/api/auth/login/", { body: { username: clientName, password: PASSWORD } })).access,
      body: {
        payment_method: "card",
        card_number: "4242424242424242",
        card_expiry: `12/${String((new Date().getFullYear() + 2) % 100).padStart(2, "0")}`,
        card_cvv: "123",
        card_holder_name: "Chris Client",
      },
    });
    await worker.goto(`${baseUrl()}/#/board`);
    await worker.getByRole("heading", { name: "Job board" }).waitFor();
    await worker.goto(`${baseUrl()}/#/orders/${orderId}`);
    await worker.getByRole("heading", { name: "Conversation" }).waitFor();
    await messageWith(worker, "chris@example.com").waitFor();

    await worker.getByLabel("Show status changes (the order's timeline)").check();
    const items = worker.locator('[aria-label="Conversation"] > li');
    await worker.locator('[aria-label="Conversation"] .status-change').first().waitFor();
    const kinds = await items.evaluateAll((lis) => lis.map((li) => (li.classList.contains("message") ? "message" : (li.querySelector(".badge")?.textContent ?? ""))));
    expect(kinds.slice(0, 2)).toEqual(["pending", "pending"]);
    expect(kinds).toContain("message");
    expect(kinds.indexOf("paid")).toBeGreaterThan(kinds.lastIndexOf("message"));
    await screenshot(worker, "messages-03-timeline");
  });
});
