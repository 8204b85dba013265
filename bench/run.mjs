// Benchmarks the built Worker twice on one seeded database:
//  1. on bare `workerd serve` (bench/workerd/): what production runs, with CPU time per request,
//     the Hono hello-world floor and the SQL of the uncached catalog reads measured alone;
//  2. in Miniflare (one workerd with Miniflare's dev layers, no `wrangler dev` proxy), driven by
//     autocannon in-process, every scenario beside a no-op baseline route.
// Catalog reads are measured twice: uncached (a real query parameter or the service id varies per
// request, so each one is an edge-cache miss that reads D1 and fills the cache) and as edge-cache hits (the same URL, warmed first).
// The database is seeded once through Miniflare with persistence; bare workerd then serves the same
// SQLite file (its D1 object uses Miniflare's storage layout and unique key), and Miniflare reopens it.
//   npm run bench          full run: 1,000 users, 10,000 services, 50,000 orders (+ a 1k/100k scale test)
//   npm run bench:smoke    a few seconds per scenario on a small data set: checks that everything runs
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { hashPassword } from "../src/lib/passwords.ts";
import { migrate } from "../scripts/lib/migrate.mjs";
import { markdown } from "./report.mjs";
import { BASELINE, PASSWORD, SECRET, clientTokens, mainScenarios, roundTrips } from "./scenarios.mjs";
import { seed } from "./seed.mjs";
import { benchBareWorkerd, benchOrderCreate, profileBareWorkerd } from "./workerd/run.mjs";

const smoke = process.argv.includes("--smoke");
const root = join(import.meta.dirname, "..");
const outDir = join(root, ".bench/dist");
const persistDir = join(root, ".bench/persist");
const DURATION = smoke ? 1 : 8;
const CONNECTIONS = 8;
const SQL_LOOPS = smoke ? 200 : 2000;

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

/** Miniflare on the bundle; with `persist`, its storage lives in that directory instead of memory. */
async function startWorker(persist) {
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
  const mf = new Miniflare({ ...options, resourcePersistencePath: persist, handleStructuredLogs: () => {} });
  const url = await mf.ready;
  return { mf, url: url.toString().replace(/\/$/, ""), startup_ms: Math.round(performance.now() - started) };
}

async function load(url, scenario) {
  const result = await autocannon({
    url: url + scenario.path,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: scenario.method ?? "GET",
        headers: scenario.headers,
        setupRequest: (req) => ({
          ...req,
          ...(scenario.dynamicPath ? { path: scenario.dynamicPath() } : {}),
          ...(scenario.body ? { body: scenario.body(), headers: { ...req.headers, ...scenario.dynamicHeaders?.() } } : {}),
        }),
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
  const baseline = rows.find((r) => r.name === BASELINE);
  for (const row of rows) row.ratio_to_baseline = +(row.requests_per_s / baseline.requests_per_s).toFixed(3);
  return rows;
}

async function withWorker(persist, fn) {
  const worker = await startWorker(persist);
  try {
    return await fn(worker);
  } finally {
    await worker.mf.dispose();
  }
}

const seeded = (sizes, passwordHash, persist) =>
  withWorker(persist, async (worker) => {
    const db = await worker.mf.getD1Database("DB");
    await migrate(db);
    return seed(db, { ...sizes, passwordHash });
  });

const sizes = smoke ? { users: 200, services: 1000, orders: 2000, categories: 20 } : { users: 1000, services: 10_000, orders: 50_000, categories: 20 };
const scaleSizes = smoke ? [500, 5000] : [1000, 100_000];

console.log("building…");
const bundle = build();
const passwordHash = await hashPassword(PASSWORD);

console.log(`seeding ${JSON.stringify(sizes)}…`);
rmSync(persistDir, { recursive: true, force: true });
const data = await seeded(sizes, passwordHash, persistDir);
const tokens = await clientTokens(data);

console.log("bare workerd:");
const workerd = await benchBareWorkerd({ root, bundle: join(outDir, "index.js"), persistDir, seeded: data, tokens, connections: CONNECTIONS, duration: DURATION, sqlLoops: SQL_LOOPS });

console.log("CPU profiles (bare workerd):");
workerd.profiles = await profileBareWorkerd({ root, bundle: join(outDir, "index.js"), persistDir, seeded: data, tokens, connections: CONNECTIONS, duration: DURATION });

console.log("Miniflare:");
const { scenarios, startup_ms } = await withWorker(persistDir, async (worker) => ({
  scenarios: await runScenarios(worker.url, mainScenarios(data, tokens)),
  startup_ms: worker.startup_ms,
}));

const scale = [];
for (const services of scaleSizes) {
  console.log(`scale (Miniflare): ${services} services…`);
  scale.push({
    services,
    scenarios: await withWorker(undefined, async (worker) => {
      const db = await worker.mf.getD1Database("DB");
      await migrate(db);
      const s = await seed(db, { users: 100, services, orders: 0, categories: 20, passwordHash });
      return runScenarios(worker.url, mainScenarios(s, {}).filter((sc) => /baseline|service (list|search).*, uncached/.test(sc.name)));
    }),
  });
}

// Order create over 10 and 10,000 qualified (available, unspecialized) workers: the request writes
// the order, its history and the client's notification; the announcement to workers is a queue message.
const orderScale = [];
for (const workers of smoke ? [10, 1000] : [10, 10_000]) {
  console.log(`order create (bare workerd): ${workers} qualified workers…`);
  const dir = join(root, `.bench/persist-orders-${workers}`);
  rmSync(dir, { recursive: true, force: true });
  const s = await seeded({ users: 1 + workers + 1000, workers, allAvailable: true, services: 100, orders: 0, categories: 5 }, passwordHash, dir);
  const row = await benchOrderCreate({ root, bundle: join(outDir, "index.js"), persistDir: dir, seeded: s, tokens: await clientTokens(s), connections: CONNECTIONS, duration: DURATION });
  orderScale.push({ qualified_workers: workers, ...row });
  rmSync(dir, { recursive: true, force: true });
}

const report = {
  date: new Date().toISOString(),
  smoke,
  machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.versions.node },
  connections: CONNECTIONS,
  duration_s: DURATION,
  sql_loops: SQL_LOOPS,
  data: sizes,
  bundle,
  workerd,
  startup_ms,
  scenarios,
  scale,
  order_scale: orderScale,
};
const name = smoke ? "smoke" : "latest";
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, `bench/results/${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(root, `bench/results/${name}.md`), markdown(report));
console.log(markdown(report));

const failed = [...workerd.scenarios, ...scenarios, ...scale.flatMap((s) => s.scenarios), ...orderScale].filter((r) => r.errors > 0);
if (failed.length) {
  console.error(`scenarios with errors: ${failed.map((r) => r.name).join(", ")}`);
  process.exit(1);
}
