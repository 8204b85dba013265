// Benchmarks the built Worker in Miniflare (one workerd, no `wrangler dev` proxy) with autocannon
// over loopback. Every scenario is reported beside a no-op baseline route measured in the same run.
// Catalog reads are measured twice: uncached (a unique query parameter per request, so each one is an
// edge-cache miss that reads D1 and fills the cache) and as edge-cache hits (the same URL, warmed first).
//   npm run bench          full run: 1,000 users, 10,000 services, 50,000 orders (+ a 1k/100k scale test)
//   npm run bench:smoke    a few seconds per scenario on a small data set: checks that everything runs
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { SignJWT } from "jose";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { hashPassword } from "../src/lib/passwords.ts";
import { seed } from "./seed.mjs";

const smoke = process.argv.includes("--smoke");
const root = join(import.meta.dirname, "..");
const outDir = join(root, ".bench/dist");
const SECRET = "bench-secret-0123456789-0123456789-0123456789";
const PASSWORD = "bench-password-1";
const DURATION = smoke ? 1 : 8;
const CONNECTIONS = 8;

function build() {
  const result = spawnSync("wrangler", ["deploy", "--dry-run", "--outdir", outDir], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stderr}`);
  const bundle = readFileSync(join(outDir, "index.js"));
  return { raw_kib: +(bundle.length / 1024).toFixed(1), gzip_kib: +(gzipSync(bundle).length / 1024).toFixed(1) };
}

async function startWorker() {
  // The bundle is one self-contained module, so wrangler's module rules are not needed.
  const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml")).workerOptions;
  const started = performance.now();
  // wrangler hands out Miniflare-4-shaped options; Miniflare 5 converts them.
  const options = convertV4MiniflareOptions({
    workers: [
      {
        ...workerOptions,
        name: "bench",
        modules: true,
        scriptPath: join(outDir, "index.js"),
        bindings: { ...workerOptions.bindings, JWT_SECRET: SECRET, EXPOSE_QUERY_COUNT: "true", ENVIRONMENT: "production" },
      },
    ],
    host: "127.0.0.1",
    cf: false, // offline: no fetch of the Request.cf placeholder
    port: 0,
    log: new Log(LogLevel.WARN),
  });
  // The Worker's JSON request logs would otherwise dominate the run.
  const mf = new Miniflare({ ...options, handleStructuredLogs: () => {} });
  const url = await mf.ready;
  return { mf, url: url.toString().replace(/\/$/, ""), startup_ms: Math.round(performance.now() - started) };
}

async function migrate(db) {
  const dir = join(root, "migrations");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    for (const statement of readFileSync(join(dir, file), "utf8").split("--> statement-breakpoint")) {
      const text = statement.replace(/^\s*--.*$/gm, "").trim();
      if (text) await db.prepare(text).run();
    }
  }
}

async function accessToken(userId, role) {
  return new SignJWT({ role, token_type: "access" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(userId))
    .setIssuer("service-marketplace")
    .setAudience("service-marketplace-api")
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(SECRET));
}

const ID_PLACEHOLDER = "[<id>]";
/** A catalog URL that misses the edge cache on every request: autocannon fills in a unique id each time. */
const bypassingCache = (path) => `${path}${path.includes("?") ? "&" : "?"}nocache=${ID_PLACEHOLDER}`;

async function sample(url, scenario) {
  const path = scenario.path.replace(ID_PLACEHOLDER, crypto.randomUUID());
  const res = await fetch(url + path, { method: scenario.method ?? "GET", headers: { ...scenario.headers, ...scenario.dynamicHeaders?.() }, body: scenario.body?.() });
  await res.arrayBuffer();
  if (res.status >= 400) throw new Error(`${scenario.name}: sample request answered ${res.status}`);
  return res;
}

/** One request outside the load (after warming the cache for cache-hit scenarios): its D1 round trips and cache outcome. */
async function roundTrips(url, scenario) {
  if (scenario.warm) await sample(url, scenario);
  const res = await sample(url, scenario);
  const cache = res.headers.get("X-Cache") ?? "-";
  if (scenario.warm && cache !== "HIT") throw new Error(`${scenario.name}: expected an edge cache hit, got ${cache}`);
  return { db_round_trips: Number(res.headers.get("X-DB-Queries") ?? NaN), cache };
}

async function load(url, scenario) {
  const result = await autocannon({
    url: url + scenario.path,
    connections: CONNECTIONS,
    duration: DURATION,
    idReplacement: scenario.path.includes(ID_PLACEHOLDER),
    requests: [
      {
        method: scenario.method ?? "GET",
        headers: scenario.headers,
        setupRequest: (req) => (scenario.body ? { ...req, body: scenario.body(), headers: { ...req.headers, ...scenario.dynamicHeaders?.() } } : req),
      },
    ],
  });
  return {
    requests_per_s: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    total_requests: result.requests.total,
  };
}

async function runScenarios(url, scenarios) {
  const rows = [];
  for (const scenario of scenarios) {
    rows.push({ name: scenario.name, ...(await roundTrips(url, scenario)), ...(await load(url, scenario)) });
    process.stdout.write(`  ${scenario.name}: ${rows.at(-1).requests_per_s} req/s, p99 ${rows.at(-1).p99_ms} ms\n`);
  }
  const baseline = rows.find((r) => r.name === "baseline (no-op route)");
  for (const row of rows) row.ratio_to_baseline = +(row.requests_per_s / baseline.requests_per_s).toFixed(3);
  return rows;
}

async function withSeededWorker(sizes, passwordHash, fn) {
  const worker = await startWorker();
  try {
    const db = await worker.mf.getD1Database("DB");
    await migrate(db);
    const seeded = await seed(db, { ...sizes, passwordHash });
    return await fn(worker, seeded);
  } finally {
    await worker.mf.dispose();
  }
}

/** Each anonymous catalog read twice: uncached (edge cache miss, D1) and warm (edge cache hit). */
function catalogReads(seeded) {
  const reads = [
    ["service list (20, with category and owner)", "/api/services/?page_size=20"],
    ["service search", "/api/services/?search=plumbing"],
    ["service detail", `/api/services/${seeded.firstActiveServiceId}/`],
  ];
  return reads.flatMap(([name, path]) => [
    { name: `${name}, uncached`, path: bypassingCache(path) },
    { name: `${name}, edge cache hit`, path, warm: true },
  ]);
}

function mainScenarios(seeded, tokens) {
  let n = 0;
  let orders = 0;
  const json = { "Content-Type": "application/json" };
  return [
    { name: "baseline (no-op route)", path: "/api/health/live/" },
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

function markdown(report) {
  const lines = [
    `# Benchmark results`,
    ``,
    `${report.date} · ${report.machine.cpu} × ${report.machine.cores} cores, ${report.machine.memory_gib} GiB · Node ${report.machine.node} · Miniflare (workerd), ${CONNECTIONS} connections, ${DURATION}s per scenario${smoke ? " (smoke run)" : ""}`,
    ``,
    `Data: ${report.data.users} users, ${report.data.services} services in ${report.data.categories} categories, ${report.data.orders} orders.`,
    `Bundle: ${report.bundle.raw_kib} KiB raw, ${report.bundle.gzip_kib} KiB gzip · Miniflare startup ${report.startup_ms} ms.`,
    ``,
    `| scenario | req/s | p50 ms | p99 ms | ratio to baseline | D1 round trips | edge cache | errors |`,
    `|---|---:|---:|---:|---:|---:|---|---:|`,
    ...report.scenarios.map(
      (r) => `| ${r.name} | ${r.requests_per_s} | ${r.p50_ms} | ${r.p99_ms} | ${r.ratio_to_baseline} | ${r.db_round_trips} | ${r.cache} | ${r.errors} |`,
    ),
    ``,
    `## Scale: service list and search at ${report.scale.map((s) => s.services).join(" vs ")} services`,
    ``,
    `| services | scenario | req/s | p50 ms | p99 ms | ratio to baseline | errors |`,
    `|---:|---|---:|---:|---:|---:|---:|`,
    ...report.scale.flatMap((s) => s.scenarios.map((r) => `| ${s.services} | ${r.name} | ${r.requests_per_s} | ${r.p50_ms} | ${r.p99_ms} | ${r.ratio_to_baseline} | ${r.errors} |`)),
    ``,
  ];
  return lines.join("\n");
}

const sizes = smoke ? { users: 200, services: 1000, orders: 2000, categories: 20 } : { users: 1000, services: 10_000, orders: 50_000, categories: 20 };
const scaleSizes = smoke ? [500, 5000] : [1000, 100_000];

console.log("building…");
const bundle = build();
const passwordHash = await hashPassword(PASSWORD);

console.log(`seeding ${JSON.stringify(sizes)} and measuring…`);
const { scenarios, startup_ms } = await withSeededWorker(sizes, passwordHash, async (worker, seeded) => {
  const tokens = { client: await accessToken(seeded.clientIds[0], "client"), clients: await Promise.all(seeded.clientIds.map((id) => accessToken(id, "client"))) };
  return { scenarios: await runScenarios(worker.url, mainScenarios(seeded, tokens)), startup_ms: worker.startup_ms };
});

const scale = [];
for (const services of scaleSizes) {
  console.log(`scale: ${services} services…`);
  scale.push({
    services,
    scenarios: await withSeededWorker({ users: 100, services, orders: 0, categories: 20 }, passwordHash, (worker, seeded) =>
      runScenarios(worker.url, mainScenarios(seeded, {}).filter((s) => /baseline|service (list|search).*, uncached/.test(s.name))),
    ),
  });
}

const report = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.versions.node },
  data: sizes,
  bundle,
  startup_ms,
  scenarios,
  scale,
};
const name = smoke ? "smoke" : "latest";
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, `bench/results/${name}.json`), JSON.stringify(report, null, 2) + "\n");
writeFileSync(join(root, `bench/results/${name}.md`), markdown(report));
console.log(markdown(report));

const failed = [...scenarios, ...scale.flatMap((s) => s.scenarios)].filter((r) => r.errors > 0);
if (failed.length) {
  console.error(`scenarios with errors: ${failed.map((r) => r.name).join(", ")}`);
  process.exit(1);
}
