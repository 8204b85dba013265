// The scenarios both benchmarks run (Miniflare and bare workerd), and the one-off requests that
// read a scenario's D1 round trips and cache outcome.
import { accessToken as signedToken } from "../scripts/lib/access-token.mjs";

export const SECRET = "bench-secret-0123456789-0123456789-0123456789";
export const PASSWORD = "bench-password-1";
export const BASELINE = "baseline (no-op route)";
export const ID_PLACEHOLDER = "[<id>]";

export const accessToken = (userId, role) => signedToken(SECRET, userId, role);

export async function clientTokens(seeded) {
  return { client: await accessToken(seeded.clientIds[0], "client"), clients: await Promise.all(seeded.clientIds.map((id) => accessToken(id, "client"))) };
}

/** A catalog URL that misses the edge cache on every request: the load generator fills in a unique id each time. */
const bypassingCache = (path) => `${path}${path.includes("?") ? "&" : "?"}nocache=${ID_PLACEHOLDER}`;

export async function sample(url, scenario) {
  const path = scenario.path.replace(ID_PLACEHOLDER, crypto.randomUUID());
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
  const reads = [
    [SERVICE_LIST, "/api/services/?page_size=20"],
    ["service search", "/api/services/?search=plumbing"],
    [SERVICE_DETAIL, `/api/services/${seeded.firstActiveServiceId}/`],
  ];
  return reads.flatMap(([name, path]) => [
    { name: `${name}, uncached`, path: bypassingCache(path) },
    { name: `${name}, edge cache hit`, path, warm: true },
  ]);
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
