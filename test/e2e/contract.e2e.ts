// The API journeys through Stoplight Prism's validating proxy, with the typed client generated from
// the document: every request the journeys send and every response the server gives must match
// openapi/openapi.json (Prism reports a mismatch in the `sl-violations` header). Requests the server
// refuses must be refused by the document too, so a client validating against it finds out first.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import createClient, { type Middleware } from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { paths } from "../../openapi/schema";
import { ADMIN, baseUrl, unique } from "./helpers";

interface Violation {
  request: string;
  location: string[];
  message: string;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

function startPrism(port: number): Promise<ChildProcess> {
  const prism = spawn("node_modules/.bin/prism", ["proxy", "openapi/openapi.json", baseUrl(), "--host", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Prism did not start")), 60_000);
    prism.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Prism is listening")) {
        clearTimeout(timer);
        resolve(prism);
      }
    });
    prism.on("exit", (code) => reject(new Error(`Prism exited with ${code}`)));
  });
}

const violationsOf = (request: string, response: Response): Violation[] =>
  (JSON.parse(response.headers.get("sl-violations") ?? "[]") as Omit<Violation, "request">[]).map((v) => ({ request, ...v }));

describe("API journeys through Prism's validating proxy", () => {
  let prism: ChildProcess;
  let proxyUrl: string;
  const violations: Violation[] = [];
  let requests = 0;
  const recordViolations: Middleware = {
    onResponse({ request, response }) {
      requests++;
      violations.push(...violationsOf(`${request.method} ${new URL(request.url).pathname}`, response));
    },
  };
  const client = (token?: string) => {
    const api = createClient<paths>({ baseUrl: proxyUrl, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    api.use(recordViolations);
    return api;
  };

  beforeAll(async () => {
    const port = await freePort();
    proxyUrl = `http://127.0.0.1:${port}`;
    prism = await startPrism(port);
  });

  afterAll(() => {
    prism?.kill();
    console.log(`prism contract: requests ${requests}, violations ${violations.length}`);
  });

  it("runs the marketplace's journeys with no request or response off the document", async () => {
    const anonymous = client();
    const password = "Contract-Passw0rd-1";
    const [clientName, workerName] = [unique("contract_client"), unique("contract_worker")];
    for (const [username, role] of [[clientName, "client"], [workerName, "worker"]] as const) {
      const registered = await anonymous.POST("/api/auth/register/", { body: { username, password, role, email: `${username}@example.com` } });
      expect(registered.response.status).toBe(201);
    }
    const login = async (username: string, secret: string) => {
      const { data } = await anonymous.POST("/api/auth/login/", { body: { username, password: secret } });
      if (!data) throw new Error(`login of ${username} failed`);
      return data;
    };
    const [asClient, asWorker, asAdmin] = await Promise.all([login(clientName, password), login(workerName, password), login(ADMIN.username, ADMIN.password)]);
    const admin = client(asAdmin.access);
    const worker = client(asWorker.access);
    const buyer = client(asClient.access);

    const category = await admin.POST("/api/services/categories/", { body: { name: unique("Contract category"), description: "Made by the contract run" } });
    expect(category.response.status).toBe(201);
    const service = await worker.POST("/api/services/", {
      body: { name: "Leak repair", description: "Fixes leaks", category_id: category.data!.id, base_price: "80.00", duration_hours: 2 },
    });
    expect(service.response.status).toBe(201);
    const serviceId = service.data!.id;
    await worker.PATCH("/api/workers/me/", { body: { specializations: [serviceId], is_available: true } });
    await worker.GET("/api/workers/me/");

    await anonymous.GET("/api/services/", { params: { query: { search: "leak", page_size: 5 } } });
    await anonymous.GET("/api/services/{id}/", { params: { path: { id: serviceId } } });
    await anonymous.GET("/api/services/categories/");
    await anonymous.GET("/api/workers/");
    await anonymous.GET("/api/workers/{id}/", { params: { path: { id: asWorker.user.id } } });
    await anonymous.GET("/api/health/");

    const order = await buyer.POST("/api/orders/create/", {
      body: { service_id: serviceId, description: "The kitchen sink leaks", address: "1 Main St", scheduled_date: new Date(Date.now() + 3 * 86_400_000).toISOString(), quantity: 2 },
    });
    expect(order.response.status).toBe(201);
    const orderId = order.data!.id;
    const expiry = `12/${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, "0")}`;
    const paid = await buyer.POST("/api/payments/order/{order_id}/pay/", {
      params: { path: { order_id: orderId }, header: { "idempotency-key": unique("contract-pay") } },
      body: { payment_method: "card", card_number: "4242424242424242", card_expiry: expiry, card_cvv: "123", card_holder_name: "Ada Lovelace" },
    });
    expect(paid.data?.status).toBe("completed");
    await buyer.GET("/api/orders/");
    await buyer.GET("/api/orders/{id}/", { params: { path: { id: orderId } } });
    await buyer.GET("/api/payments/", { params: { query: { order: orderId } } });
    await buyer.GET("/api/payments/{id}/", { params: { path: { id: paid.data!.id } } });

    // Taking a paid order starts the work.
    const assigned = await worker.POST("/api/orders/{id}/assign/", { params: { path: { id: orderId } }, body: {} });
    expect(assigned.data?.status).toBe("in_progress");
    expect((await worker.POST("/api/orders/{id}/status/", { params: { path: { id: orderId } }, body: { status: "completed" } })).response.status).toBe(201);
    const refunded = await admin.POST("/api/payments/{id}/refund/", { params: { path: { id: paid.data!.id } }, body: { amount: "10.00", reason: "Late" } });
    expect(refunded.data?.status).toBe("partially_refunded");

    const inbox = await buyer.GET("/api/notifications/");
    const first = inbox.data?.results[0];
    if (first) await buyer.POST("/api/notifications/{id}/read/", { params: { path: { id: first.id } } });
    await buyer.POST("/api/notifications/read-all/");
    await buyer.GET("/api/users/{id}/", { params: { path: { id: asClient.user.id } } });
    await buyer.PATCH("/api/users/{id}/", { params: { path: { id: asClient.user.id } }, body: { first_name: "Ada" } });
    await admin.GET("/api/users/", { params: { query: { role: "worker" } } });
    await admin.GET("/api/reports/payments/");
    await admin.GET("/api/admin/jobs/failed/");
    expect((await admin.POST("/api/admin/jobs/{name}/run/", { params: { path: { name: "auto-assign" } } })).response.status).toBe(202);

    // Errors are part of the contract too (a missing token is a request off the document: see below).
    expect((await worker.POST("/api/orders/create/", { body: { service_id: serviceId, description: "x", address: "y", scheduled_date: new Date(Date.now() + 86_400_000).toISOString() } })).response.status).toBe(403);
    expect((await buyer.GET("/api/orders/{id}/", { params: { path: { id: 999_999 } } })).response.status).toBe(404);
    expect((await buyer.POST("/api/orders/{id}/status/", { params: { path: { id: orderId } }, body: { status: "pending" } })).response.status).toBe(409);

    const refreshed = await anonymous.POST("/api/auth/refresh/", { body: { refresh: asClient.refresh } });
    expect(refreshed.response.status).toBe(200);
    expect((await client(refreshed.data!.access).POST("/api/auth/logout/", { body: { refresh: refreshed.data!.refresh } })).response.status).toBe(204);

    expect(violations).toEqual([]);
    expect(requests).toBeGreaterThan(35);
  });

  it("refuses in the document what the server refuses: each of these is a 400 or 401 and a request violation", async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const cases: [string, string, unknown][] = [
      ["POST", "/api/auth/register/", { username: "u".repeat(151), password: "Contract-Passw0rd-1" }],
      ["POST", "/api/auth/login/", { username: "someone" }],
      ["POST", "/api/orders/create/", { description: "No service named", address: "1 Main St", scheduled_date: future }],
      ["POST", "/api/services/", { name: "Bad price", description: "x", category_id: 1, base_price: "1.234" }],
      ["GET", "/api/orders/", undefined],
    ];
    for (const [method, path, body] of cases) {
      const init = body === undefined ? { method } : { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
      const response = await fetch(`${proxyUrl}${path}`, init);
      requests++;
      const found = violationsOf(`${method} ${path}`, response);
      expect([path, found.some((v) => v.location[0] === "request")]).toEqual([path, true]);
      expect(found.filter((v) => v.location[0] === "response"), path).toEqual([]);
      expect([400, 401]).toContain(response.status);
    }
  });
});
