// Escrow in the web client: a worker sets up payouts from the Earnings page, a client confirms one
// completed order (the money goes to the worker) and disputes another (the money stays on hold).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, apiCall, baseUrl, launchBrowser, logIn, openApp, screenshot, unique } from "./helpers";

const PASSWORD = "correct-Horse-9";

async function account(role: "client" | "worker") {
  const username = unique(role);
  await apiCall("/api/auth/register/", { body: { username, password: PASSWORD, role } });
  const { access } = await apiCall<{ access: string }>("/api/auth/login/", { body: { username, password: PASSWORD } });
  return { username, token: access };
}

/** A completed order of `client` for `serviceId`, paid with the sandbox card and done by `worker`. */
async function completedOrder(client: { token: string }, worker: { token: string }, serviceId: number) {
  const order = await apiCall<{ id: number }>("/api/orders/create/", {
    token: client.token,
    body: { service_id: serviceId, description: "Fix the fence", address: "3 Gate Road", scheduled_date: new Date(Date.now() + 86_400_000).toISOString() },
  });
  const expiry = `12/${String((new Date().getFullYear() + 2) % 100).padStart(2, "0")}`;
  await apiCall(`/api/payments/order/${order.id}/pay/`, {
    token: client.token,
    body: { payment_method: "card", card_number: "4242424242424242", card_expiry: expiry, card_cvv: "123", card_holder_name: "C" },
  });
  await apiCall(`/api/orders/${order.id}/assign/`, { token: worker.token, body: {} });
  await apiCall(`/api/orders/${order.id}/status/`, { token: worker.token, body: { status: "completed" } });
  return order.id;
}

describe("escrow in the web client", () => {
  let browser: Browser;
  let client: { username: string; token: string };
  let worker: { username: string; token: string };
  let confirmed: number;
  let disputed: number;

  beforeAll(async () => {
    browser = await launchBrowser();
    const category = await apiCall<{ id: number }>("/api/services/categories/", { token: await adminToken(), body: { name: unique("Fences ") } });
    [client, worker] = await Promise.all([account("client"), account("worker")]);
    const service = await apiCall<{ id: number }>("/api/services/", {
      token: worker.token,
      body: { name: unique("Fence repair "), description: "Fences", category_id: category.id, base_price: "80.00" },
    });
    confirmed = await completedOrder(client, worker, service.id);
    disputed = await completedOrder(client, worker, service.id);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("the worker sets up payouts from the Earnings page (sandbox onboarding)", async () => {
    const page = await openApp(browser);
    await logIn(page, worker.username, PASSWORD);
    await page.getByRole("link", { name: "Earnings" }).click();
    await page.getByRole("heading", { name: "Earnings" }).waitFor();
    expect(await page.locator('[data-total="Held"]').textContent()).toBe("$144.00");
    await page.getByRole("button", { name: "Set up payouts" }).click();
    await page.waitForURL(/\/api\/payouts\/sandbox\/onboard\//);
    expect(await page.textContent("body")).toContain('"status":"enabled"');
    await page.close();
  });

  it("the client confirms one order (paid to the worker) and disputes the other (on hold)", async () => {
    const page = await openApp(browser);
    await logIn(page, client.username, PASSWORD);
    await page.goto(`${baseUrl()}/#/orders/${confirmed}`);
    await page.getByRole("button", { name: "Confirm received" }).click();
    await page.locator('[data-escrow-status="released"]').waitFor();
    expect(await page.locator(".escrow").textContent()).toContain("$72.00 paid to the worker");
    await screenshot(page, "escrow-01-client-confirmed");

    await page.goto(`${baseUrl()}/#/orders/${disputed}`);
    await page.getByRole("link", { name: "Open a dispute" }).click();
    await page.getByLabel("What went wrong?").fill("The gate still sticks.");
    await page.getByRole("button", { name: "Open dispute" }).click();
    await page.locator('[data-escrow-status="disputed"]').waitFor();
    expect(await page.locator(".escrow").textContent()).toContain("The gate still sticks.");
    expect(await page.getByRole("button", { name: "Confirm received" }).count()).toBe(0);
    await screenshot(page, "escrow-02-client-disputed");
  });

  it("the worker's earnings show the paid-out order and the one on hold", async () => {
    const page = await openApp(browser);
    await logIn(page, worker.username, PASSWORD);
    await page.goto(`${baseUrl()}/#/earnings`);
    await page.getByRole("heading", { name: "Earnings" }).waitFor();
    expect(await page.locator('[data-total="Paid out"]').textContent()).toBe("$72.00");
    expect(await page.locator('[data-total="Held"]').textContent()).toBe("$72.00");
    expect(await page.locator('[data-payout-status]').textContent()).toBe("enabled");
    expect(await page.locator('[aria-label="Payouts"] li').first().textContent()).toContain(`Order #${confirmed}`);
    await screenshot(page, "escrow-03-worker-earnings");
  });
});
