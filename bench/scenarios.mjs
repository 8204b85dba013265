// The scenarios both benchmarks run (Miniflare and bare workerd), and the one-off requests that
// read a scenario's D1 round trips and cache outcome.
import { accessToken as signedToken } from "../scripts/lib/access-token.mjs";

export const SECRET = "bench-secret-0123456789-0123456789-0123456789";
export const PASSWORD = "bench-password-1";
export const BASELINE = "baseline (no-op route)";

export const accessToken = (userId, role) => signedToken(SECRET, userId, role);

export async function clientTokens(seeded) {
  return { client: await accessToken(seeded.clientIds[0], "client"), clients: await Promise.all(seeded.clientIds.map((id) => accessToken(id, "client"))) };
}

/**
 * A catalog URL that misses the edge cache on every request. The cache is keyed on the route's
 * validated parameters only (junk parameters are dropped), so a real one varies: a `max_price`
 * above every seeded price (every service still matches, so the SQL is that of the unfiltered list),
 * one cent more on each request.
 */
const bypassingCache = (path) => {
  let cents = 200_000 + Math.floor(Math.random() * 50_000_000);
  return () => {
    cents++;
    return `${path}${path.includes("?") ? "&" : "?"}max_price=${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
  };
};

/** The detail URL of each active service in turn (a detail is keyed on its path alone). */
const serviceDetails = (ids) => {
  let i = Math.floor(Math.random() * ids.length);
  return () => `/api/services/${ids[i++ % ids.length]}/`;
};

/** The path one request of the scenario asks for (dynamicPath draws a new one each time). */
export const pathOf = (scenario) => (scenario.dynamicPath ? scenario.dynamicPath() : scenario.path);

export async function sample(url, scenario) {
  const path = pathOf(scenario);
  const res = await fetch(url + path, { method: scenario.method ?? "GET", headers: { ...scenario.headers, ...scenario.dynamicHeaders?.() }, body: scenario.body?.() });
  await res.arrayBuffer();
  if (res.status >= 400) throw new Error(`${scenario.name}: sample request answered ${res.status}`);
  return res;
}

/** One request outside the load (after warming the cache for cache-hit scenarios): its D1 round trips and cache outcome. */
export async function roundTrips(url, scenario) {
  if (scenario.warm) await sample(url, scenario);
  const res = await sample(url, scenario);
  const cache = res.headers.get("X-Cache") ?? "-";
  if (scenario.warm && cache !== "HIT") throw new Error(`${scenario.name}: expected an edge cache hit, got ${cache}`);
  return { db_round_trips: Number(res.headers.get("X-DB-Queries") ?? NaN), cache };
}

export const SERVICE_LIST = "service list (20, with category and owner)";
export const SERVICE_DETAIL = "service detail";

/** Each anonymous catalog read twice: uncached (edge cache miss, D1) and warm (edge cache hit). */
function catalogReads(seeded) {
  const list = "/api/services/?page_size=20";
  const search = "/api/services/?search=plumbing";
  const detail = `/api/services/${seeded.firstActiveServiceId}/`;
  return [
    { name: `${SERVICE_LIST}, uncached`, path: list, dynamicPath: bypassingCache(list) },
    { name: `${SERVICE_LIST}, edge cache hit`, path: list, warm: true },
    { name: "service search, uncached", path: search, dynamicPath: bypassingCache(search) },
    { name: "service search, edge cache hit", path: search, warm: true },
    { name: `${SERVICE_DETAIL}, uncached`, path: detail, dynamicPath: serviceDetails(seeded.activeServiceIds) },
    { name: `${SERVICE_DETAIL}, edge cache hit`, path: detail, warm: true },
  ];
}

/** Path, token and body of the next unpaid pending order: the three functions are called in that order per request. */
function payNext(seeded, tokens) {
  const tokenOf = new Map(seeded.clientIds.map((id, i) => [id, tokens.clients?.[i]]));
  let order;
  const year = String((new Date().getUTCFullYear() + 3) % 100).padStart(2, "0");
  return {
    dynamicPath: () => {
      order = seeded.pendingOrders[seeded.nextPending.i++];
      if (!order) throw new Error("pay: out of pending orders");
      return `/api/payments/order/${order.id}/pay/`;
    },
    dynamicHeaders: () => ({ Authorization: `Bearer ${tokenOf.get(order.clientId)}` }),
    body: () => JSON.stringify({ payment_method: "card", card_number: "4242424242424242", card_expiry: `12/${year}`, card_cvv: "123", card_holder_name: "Bench Client" }),
  };
}

export function mainScenarios(seeded, tokens) {
  let n = 0;
  let orders = 0;
  const json = { "Content-Type": "application/json" };
  return [
    { name: BASELINE, path: "/api/health/live/" },
    ...catalogReads(seeded),
    { name: "client's order list", path: "/api/orders/", headers: { Authorization: `Bearer ${tokens.client}` } },
    { name: "auth check on a protected GET", path: `/api/users/${seeded.clientIds[0]}/`, headers: { Authorization: `Bearer ${tokens.client}` } },
    {
      name: "order create",
      method: "POST",
      path: "/api/orders/create/",
      headers: json,
      // Clients rotate so the per-client limit (20 a minute) is not what is measured.
      dynamicHeaders: () => ({ Authorization: `Bearer ${tokens.clients[orders++ % tokens.clients.length]}` }),
      body: () =>
        JSON.stringify({
          service_id: seeded.firstActiveServiceId,
          description: "Bench order",
          address: "1 Bench St",
          scheduled_date: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        }),
    },
    {
      // Each request pays another pending order as its client, with the sandbox gateway (no network):
      // the guarded payment + order batch. Orders are taken in turn across both runtimes, never twice.
      name: "pay (sandbox gateway)",
      method: "POST",
      variants: Math.floor(seeded.pendingOrders.length / 2) - 10,
      path: "/api/payments/order/0/pay/",
      headers: json,
      ...payNext(seeded, tokens),
    },
    {
      // PBKDF2 (100k iterations) is expensive by design; usernames and client IPs rotate so the
      // per-username and per-IP login limits are not what is measured.
      name: "login (PBKDF2, reported separately)",
      method: "POST",
      path: "/api/auth/login/",
      headers: json,
      dynamicHeaders: () => ({ "CF-Connecting-IP": `10.9.${(n >> 8) & 255}.${n & 255}` }),
      body: () => JSON.stringify({ username: `client${seeded.clientIds[n++ % seeded.clientIds.length]}`, password: PASSWORD }),
    },
  ];
}
