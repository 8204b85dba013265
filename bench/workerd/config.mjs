// Writes a workerd config (Cap'n Proto text) that serves the built bundle the way production runs it:
// one socket straight to the Worker, no entry worker and no assets router in front of it.
// Bindings are read from wrangler.toml (via wrangler's Miniflare options). Where workerd has no
// built-in implementation we reuse Miniflare's own binding workers, as `wrangler dev` does:
//  - D1: the `cloudflare-internal:d1-api` wrapper over Miniflare's D1 entry + SQLite-backed
//    D1DatabaseObject, stored on disk with the same unique key, so a database Miniflare seeded
//    under the same persist directory is the one the Worker reads here.
//  - rate limits: Miniflare's wrapped binding + RateLimiterObject (counts for real).
//  - Cache API: Miniflare's cache entry + CacheObject (it runs in this process, so its CPU is counted).
// The JOBS queue producer is bound to a stub that accepts and drops sends: a queue broker and
// consumer are not part of what a request costs in production (the consumer is a separate invocation).
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";

const miniflareWorkers = join(dirname(createRequire(import.meta.url).resolve("miniflare")), "workers");
const str = (s) => JSON.stringify(String(s));

/** Services and extension modules that back D1, rate limits and the Cache API, with storage under `persistDir`. */
function bindingServices(embed, persistDir) {
  const mf = (file) => embed(join(miniflareWorkers, file));
  const storage = (name, dir) => {
    mkdirSync(join(persistDir, dir), { recursive: true });
    return `(name = ${str(name)}, disk = (path = ${str(join(persistDir, dir))}, writable = true))`;
  };
  const objectService = (name, file, className, storageName, extra = "") => `(name = ${str(name)}, worker = (
      compatibilityDate = "2023-07-24", compatibilityFlags = ["nodejs_compat", "experimental"],
      modules = [(name = "object.worker.js", esModule = ${mf(file)})],
      durableObjectNamespaces = [(className = ${str(className)}, uniqueKey = ${str(`miniflare-${className}`)}${extra})],
      durableObjectStorage = (localDisk = ${str(storageName)}),
      bindings = [(name = "MINIFLARE_BLOBS", service = ${str(storageName)})]))`;
  const entryService = (name, file, objectServiceName, className, flags = "") => `(name = ${str(name)}, worker = (
      compatibilityDate = "2023-07-24"${flags},
      modules = [(name = "entry.worker.js", esModule = ${mf(file)})],
      bindings = [(name = "MINIFLARE_OBJECT", durableObjectNamespace = (serviceName = ${str(objectServiceName)}, className = ${str(className)}))]))`;
  return {
    services: [
      storage("d1:storage", "d1"),
      objectService("d1:db", "d1/database.worker.js", "D1DatabaseObject", "d1:storage"),
      entryService("d1:db:entry", "d1/entry.worker.js", "d1:db", "D1DatabaseObject", `, compatibilityFlags = ["enhanced_error_serialization"]`),
      // Rate-limit counters and cached entries stay apart from Miniflare's (same persist directory).
      storage("ratelimit:storage", "workerd-ratelimit"),
      objectService("ratelimit:ns", "ratelimit/ratelimit-object.worker.js", "RateLimiterObject", "ratelimit:storage", ", enableSql = true"),
      entryService("ratelimit:ns:entry", "shared/object-entry.worker.js", "ratelimit:ns", "RateLimiterObject"),
      storage("cache:storage", "workerd-cache"),
      objectService("cache:cache", "cache/cache.worker.js", "CacheObject", "cache:storage"),
      entryService("cache:entry", "cache/cache-entry.worker.js", "cache:cache", "CacheObject"),
    ],
    extensions: [
      `(modules = [(name = "miniflare:shared", esModule = ${mf("shared/index.worker.js")}), (name = "miniflare:zod", esModule = ${mf("shared/zod.worker.js")})])`,
      `(modules = [(name = "cloudflare-internal:ratelimit:module", internal = true, esModule = ${mf("ratelimit/ratelimit.worker.js")})])`,
    ],
  };
}

const props = (namespace) => `props = (json = ${str(JSON.stringify({ MINIFLARE_NAMESPACE: namespace }))})`;
const d1Binding = (name, id, service = `(name = "d1:db:entry", ${props(id)})`) =>
  `(name = ${str(name)}, wrapped = (moduleName = "cloudflare-internal:d1-api", innerBindings = [(name = "fetcher", service = ${service})]))`;

/** The app's bindings from wrangler.toml's Miniflare options; `d1Fetcher` swaps the service behind DB (used to record its SQL). */
function appBindings(wranglerOptions, vars, d1Fetcher) {
  const bindings = Object.entries(vars).map(([name, value]) => `(name = ${str(name)}, text = ${str(value)})`);
  for (const [name, { id }] of Object.entries(wranglerOptions.d1Databases)) bindings.push(d1Binding(name, id, d1Fetcher));
  for (const [name, { className }] of Object.entries(wranglerOptions.durableObjects)) bindings.push(`(name = ${str(name)}, durableObjectNamespace = ${str(className)})`);
  for (const name of Object.keys(wranglerOptions.queueProducers)) bindings.push(`(name = ${str(name)}, queue = "queue-stub")`);
  for (const [name, { namespace_id, simple }] of Object.entries(wranglerOptions.ratelimits)) {
    bindings.push(`(name = ${str(name)}, wrapped = (moduleName = "cloudflare-internal:ratelimit:module", innerBindings = [
        (name = "fetcher", service = (name = "ratelimit:ns:entry", ${props(namespace_id)})),
        (name = "limit", json = ${str(simple.limit)}), (name = "period", json = ${str(simple.period)})]))`);
  }
  return bindings;
}

/**
 * Writes `<dir>/<name>.capnp` and returns its path. Sockets:
 *  - `app`   the bundle with its production bindings
 *  - `hello` the Hono hello world (the floor)
 *  - `sql`   the bench-only SQL worker (replays recorded D1 round trips through the same D1 binding)
 *  - `capture` the bundle again, its DB recorded by the SQL worker (used once, outside measurements)
 * Only the services named in `ports` besides `app` are configured.
 */
export function writeConfig({ dir, name, persistDir, bundle, hello, sqlWorker, queueStub, wranglerOptions, vars, ports }) {
  mkdirSync(dir, { recursive: true });
  const embed = (file) => `embed ${str(relative(dir, file))}`;
  const { services, extensions } = bindingServices(embed, persistDir);
  const compat = `compatibilityDate = ${str(wranglerOptions.compatibilityDate)}, compatibilityFlags = [${wranglerOptions.compatibilityFlags.map(str).join(", ")}]`;
  const userNotifications = Object.values(wranglerOptions.durableObjects)
    .map(({ className }) => `(className = ${str(className)}, uniqueKey = ${str(`bench-${className}`)}, enableSql = true)`)
    .join(", ");
  const appWorker = (d1Fetcher) => `(
      modules = [(name = "index.js", esModule = ${embed(bundle)})],
      ${compat},
      bindings = [${appBindings(wranglerOptions, vars, d1Fetcher).join(",\n        ")}],
      durableObjectNamespaces = [${userNotifications}],
      durableObjectStorage = (localDisk = "do:storage"),
      cacheApiOutbound = "cache:entry")`;
  mkdirSync(join(persistDir, "do"), { recursive: true });
  const d1Id = Object.values(wranglerOptions.d1Databases)[0].id;
  // Only the services that get a socket: the startup measurement runs the app alone.
  const optional = {
    capture: () => `(name = "capture", worker = ${appWorker(`(name = "sql", entrypoint = "D1Recorder")`)}),`,
    hello: () => `(name = "hello", worker = (modules = [(name = "index.js", esModule = ${embed(hello)})], ${compat})),`,
    sql: () => `(name = "sql", worker = (
      modules = [(name = "index.js", esModule = ${embed(sqlWorker)})], ${compat},
      bindings = [${d1Binding("DB", d1Id)}, (name = "D1_ENTRY", service = (name = "d1:db:entry", ${props(d1Id)}))],
      cacheApiOutbound = "cache:entry")),`,
  };
  const extras = Object.keys(ports).filter((name) => optional[name]).map((name) => `${optional[name]()}\n    `).join("");
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "app", worker = ${appWorker()}),
    ${extras}(name = "queue-stub", worker = (modules = [(name = "index.js", esModule = ${embed(queueStub)})], compatibilityDate = "2023-07-24")),
    (name = "do:storage", disk = (path = ${str(join(persistDir, "do"))}, writable = true)),
    ${services.join(",\n    ")}
  ],
  sockets = [${Object.entries(ports)
    .map(([service, port]) => `(name = ${str(service)}, address = ${str(`127.0.0.1:${port}`)}, http = (), service = ${str(service)})`)
    .join(", ")}],
  extensions = [${extensions.join(", ")}]
);
`;
  const path = join(dir, `${name}.capnp`);
  writeFileSync(path, config);
  return path;
}
