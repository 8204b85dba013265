// Where an uncached catalog read's CPU goes inside the Worker: V8's sampling profiler over workerd's
// inspector while the scenario runs under load, each sample's function mapped back through the
// bundle's source map to the package or source file it came from. The D1, cache and rate-limit
// objects run in other isolates and are not in these profiles (their cost is measured alone in run.mjs).
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { SourceMapConsumer } from "source-map-js";
import WebSocket from "ws";
import { measure } from "./load.mjs";

const SAMPLING_INTERVAL_US = 100;
const TOP = 12;

/** A minimal Chrome DevTools Protocol session over one WebSocket. */
async function inspect(url) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map();
  ws.on("message", (data) => {
    const message = JSON.parse(String(data));
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

const root = join(import.meta.dirname, "../..");

/** The package (node_modules) or the repository file a bundle position comes from; the runtime's own code by name. */
function sourceOf(map, bundleName, frame) {
  if (frame.functionName.startsWith("(")) return frame.functionName; // (program), (garbage collector)
  if (!frame.url.endsWith(bundleName)) return `runtime: ${frame.functionName || "(anonymous)"}${frame.url ? ` (${frame.url})` : ""}`;
  const { source } = map.originalPositionFor({ line: frame.lineNumber + 1, column: frame.columnNumber });
  if (!source) return "(bundle, unmapped)";
  const modules = source.split("node_modules/");
  // drizzle-orm's published maps name "../src/…" from the package root, which resolves one level up.
  if (modules.at(-1).startsWith("src/")) return "drizzle-orm";
  if (modules.length > 1) {
    const parts = modules.at(-1).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return relative(root, source);
}

/** Self time per source, as shares of the isolate's busy (non-idle) samples. */
function selfTimeBySource(profile, map, bundleName) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const bySource = new Map();
  const byFunction = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === "(idle)") return;
    const us = profile.timeDeltas[i] ?? 0;
    busy += us;
    const source = sourceOf(map, bundleName, frame);
    bySource.set(source, (bySource.get(source) ?? 0) + us);
    const fn = `${source} ${frame.functionName || "(anonymous)"}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  });
  const ranked = (map) => [...map].map(([source, us]) => ({ source, share: us / busy })).sort((a, b) => b.share - a.share);
  return { busy_us: busy, sources: ranked(bySource), functions: ranked(byFunction) };
}

/**
 * Profiles each scenario on a running workerd (started with `--inspector-addr`): the scenario's
 * load, with the profiler sampling the app's isolate, then the top sources by self time, each as a
 * share of the isolate's busy time and as µs per request.
 */
export async function profileScenarios({ workerd, inspectorUrl, appUrl, bundle, scenarios, connections, duration }) {
  const map = new SourceMapConsumer(JSON.parse(readFileSync(`${bundle}.map`, "utf8")));
  const session = await inspect(inspectorUrl);
  try {
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
    const results = [];
    for (const scenario of scenarios) {
      await session.send("Profiler.start");
      const load = await measure(workerd.pid, appUrl, scenario, { connections, duration });
      const { profile } = await session.send("Profiler.stop");
      const { busy_us, sources, functions } = selfTimeBySource(profile, map, "index.js");
      const isolateUsPerRequest = busy_us / load.total_requests;
      results.push({
        name: scenario.name,
        requests: load.total_requests,
        process_cpu_ms_per_request: load.cpu_ms_per_request,
        isolate_busy_ms_per_request: +(isolateUsPerRequest / 1000).toFixed(3),
        top: sources.slice(0, TOP).map(({ source, share }) => ({ source, share: +share.toFixed(3), us_per_request: Math.round(share * isolateUsPerRequest) })),
        top_functions: functions.slice(0, TOP).map(({ source, share }) => ({ source, share: +share.toFixed(3), us_per_request: Math.round(share * isolateUsPerRequest) })),
      });
      process.stdout.write(`  profiled ${scenario.name}: isolate busy ${results.at(-1).isolate_busy_ms_per_request} ms/request\n`);
    }
    return results;
  } finally {
    session.close();
  }
}
