// The bare-workerd benchmark: the built bundle, the hello-world floor and the bench-only SQL
// worker in one `workerd serve`, loaded from a separate process, CPU read from /proc.
import { join } from "node:path";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { buildHello } from "../hello/build.mjs";
import { BASELINE, SECRET, SERVICE_DETAIL, SERVICE_LIST, mainScenarios, pathOf, roundTrips, sample } from "../scenarios.mjs";
import { writeConfig } from "./config.mjs";
import { measure } from "./load.mjs";
import { profileScenarios } from "./profile.mjs";
import { freePort, startWorkerd, treeCpuMs } from "./start.mjs";

const HELLO = "Hono hello world (floor)";
const STARTUPS = 3;

async function configure(root, bundle, persistDir) {
  // wrangler.toml's bindings; its vars come with .dev.vars applied, so the production values are set here.
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml"));
  const dir = join(root, ".bench/workerd");
  const common = {
    dir,
    persistDir,
    bundle,
    hello: await buildHello(join(dir, "hello")),
    sqlWorker: join(import.meta.dirname, "sql-worker.js"),
    queueStub: join(import.meta.dirname, "queue-stub.js"),
    wranglerOptions: workerOptions,
    vars: { ...workerOptions.bindings, JWT_SECRET: SECRET, EXPOSE_QUERY_COUNT: "true", ENVIRONMENT: "production" },
  };
  return async (name, services) => {
    const ports = Object.fromEntries(await Promise.all(services.map(async (s) => [s, await freePort()])));
    const urls = Object.fromEntries(Object.entries(ports).map(([s, port]) => [s, `http://127.0.0.1:${port}`]));
    return { path: writeConfig({ ...common, name, ports }), urls };
  };
}

/** Spawn → first successful response of the app alone (median of a few starts). */
async function startupMs(config) {
  const times = [];
  for (let i = 0; i < STARTUPS; i++) {
    const { path, urls } = await config("startup", ["app"]);
    const workerd = await startWorkerd(path, `${urls.app}/api/health/live/`);
    times.push(workerd.startup_ms);
    await workerd.stop();
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** The D1 round trips one uncached request makes, as recorded behind the `capture` copy of the app. */
async function recordRoundTrips(urls, scenario) {
  await fetch(`${urls.sql}/recorded`).then((r) => r.json()); // drop anything recorded before
  await sample(urls.capture, scenario);
  const recorded = await fetch(`${urls.sql}/recorded`).then((r) => r.json());
  if (!recorded.length) throw new Error(`${scenario.name}: no D1 round trip recorded`);
  return recorded;
}

/** CPU per replay of a request's D1 round trips, run `loops` times in one request to the SQL worker. */
async function sqlAlone(urls, pid, name, recorded, loops) {
  const replay = (n) => fetch(`${urls.sql}/replay`, { method: "POST", body: JSON.stringify({ roundTrips: recorded, n }) }).then((r) => r.json());
  await replay(Math.min(50, loops)); // warm up
  const before = treeCpuMs(pid);
  const { elapsed_ms } = await replay(loops);
  const cpu = treeCpuMs(pid) - before;
  return {
    name,
    round_trips: recorded.length,
    statements: recorded.flat().length,
    sql: recorded.flat().map((q) => q.sql),
    cpu_ms_per_request: +(cpu / loops).toFixed(3),
    elapsed_ms_per_request: +(elapsed_ms / loops).toFixed(3),
  };
}

/** CPU per run of one catalog read's Cache API calls (`miss`: two matches and a put; otherwise two matching matches). */
async function cacheAlone(urls, pid, name, bytes, miss, loops) {
  const calls = (n) => fetch(`${urls.sql}/cache`, { method: "POST", body: JSON.stringify({ bytes, n, miss }) }).then((r) => r.json());
  await calls(Math.min(50, loops));
  const before = treeCpuMs(pid);
  await calls(loops);
  return { name, bytes, cpu_ms_per_request: +((treeCpuMs(pid) - before) / loops).toFixed(3) };
}

const bodyBytes = async (url, scenario) => (await fetch(url + pathOf(scenario)).then((r) => r.arrayBuffer())).byteLength;

export async function benchBareWorkerd({ root, bundle, persistDir, seeded, tokens, connections, duration, sqlLoops }) {
  const config = await configure(root, bundle, persistDir);
  const startup_ms = await startupMs(config);
  const { path, urls } = await config("bench", ["app", "hello", "sql", "capture"]);
  const workerd = await startWorkerd(path, `${urls.app}/api/health/live/`);
  try {
    const rows = [];
    const run = async (url, scenario, extra) => {
      rows.push({ name: scenario.name, ...extra, ...(await measure(workerd.pid, url, scenario, { connections, duration })) });
      const r = rows.at(-1);
      process.stdout.write(`  ${r.name}: ${r.requests_per_s} req/s, p99 ${r.p99_ms} ms, ${r.cpu_ms_per_request} CPU ms/request\n`);
    };
    await run(urls.hello, { name: HELLO, path: "/" }, { db_round_trips: 0, cache: "-" });
    const scenarios = mainScenarios(seeded, tokens);
    for (const scenario of scenarios) await run(urls.app, scenario, await roundTrips(urls.app, scenario));
    const hello = rows[0].cpu_ms_per_request;
    const baseline = rows.find((r) => r.name === BASELINE);
    for (const row of rows) {
      row.cpu_ratio_to_hello = +(row.cpu_ms_per_request / hello).toFixed(2);
      row.ratio_to_baseline = +(row.requests_per_s / baseline.requests_per_s).toFixed(3);
    }

    const sql = [];
    const cache = [];
    for (const name of [SERVICE_LIST, SERVICE_DETAIL]) {
      const scenario = scenarios.find((s) => s.name === `${name}, uncached`);
      const recorded = await recordRoundTrips(urls, scenario);
      const entry = await sqlAlone(urls, workerd.pid, scenario.name, recorded, sqlLoops);
      const bytes = await bodyBytes(urls.app, scenario);
      const miss = await cacheAlone(urls, workerd.pid, scenario.name, bytes, true, sqlLoops);
      const hit = await cacheAlone(urls, workerd.pid, `${name}, edge cache hit`, bytes, false, sqlLoops);
      // What the Worker itself spends on a hit: the request's CPU minus the Cache API's (which is outside the Worker in production).
      const hitRequest = rows.find((r) => r.name === hit.name).cpu_ms_per_request;
      hit.request_cpu_ms = hitRequest;
      hit.request_minus_cache_cpu_ms = +(hitRequest - hit.cpu_ms_per_request).toFixed(3);
      hit.minus_cache_ratio_to_hello = +(hit.request_minus_cache_cpu_ms / hello).toFixed(2);
      cache.push(miss, hit);
      const request = rows.find((r) => r.name === entry.name).cpu_ms_per_request;
      sql.push({
        ...entry,
        request_cpu_ms: request,
        request_minus_sql_cpu_ms: +(request - entry.cpu_ms_per_request).toFixed(3),
        request_minus_sql_and_cache_cpu_ms: +(request - entry.cpu_ms_per_request - miss.cpu_ms_per_request).toFixed(3),
      });
    }
    return { startup_ms, scenarios: rows, sql, cache };
  } catch (e) {
    console.error(workerd.stderr());
    throw e;
  } finally {
    await workerd.stop();
  }
}

/** CPU profiles of the uncached catalog reads, on a workerd of their own (the inspector stays out of the measured run). */
export async function profileBareWorkerd({ root, bundle, persistDir, seeded, tokens, connections, duration }) {
  const config = await configure(root, bundle, persistDir);
  const { path, urls } = await config("profile", ["app"]);
  const inspectorPort = await freePort();
  const workerd = await startWorkerd(path, `${urls.app}/api/health/live/`, { inspectorPort });
  try {
    const names = [`${SERVICE_LIST}, uncached`, `${SERVICE_DETAIL}, uncached`];
    const scenarios = mainScenarios(seeded, tokens).filter((s) => names.includes(s.name));
    return await profileScenarios({ workerd, inspectorUrl: `ws://127.0.0.1:${inspectorPort}/app`, appUrl: urls.app, bundle, scenarios, connections, duration });
  } catch (e) {
    console.error(workerd.stderr());
    throw e;
  } finally {
    await workerd.stop();
  }
}

const ORDER_CREATE = "order create";

/** Order create alone on bare workerd over a database seeded with a given number of qualified workers. */
export async function benchOrderCreate({ root, bundle, persistDir, seeded, tokens, connections, duration }) {
  const config = await configure(root, bundle, persistDir);
  const { path, urls } = await config("orders-scale", ["app"]);
  const workerd = await startWorkerd(path, `${urls.app}/api/health/live/`);
  try {
    const scenario = mainScenarios(seeded, tokens).find((s) => s.name === ORDER_CREATE);
    return { name: scenario.name, ...(await roundTrips(urls.app, scenario)), ...(await measure(workerd.pid, urls.app, scenario, { connections, duration })) };
  } catch (e) {
    console.error(workerd.stderr());
    throw e;
  } finally {
    await workerd.stop();
  }
}
