// Runs a scenario's load in a child process while sampling workerd's CPU time around it.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { treeCpuMs } from "./start.mjs";

const VARIANTS = 4096;

/** The scenario's per-request headers and bodies, drawn up front (the child cannot call functions). */
function variants(scenario) {
  if (!scenario.body && !scenario.dynamicHeaders && !scenario.dynamicPath) return [];
  // In the order the scenario's functions expect: path, then headers, then body.
  return Array.from({ length: Math.min(VARIANTS, scenario.variants ?? VARIANTS) }, () => {
    const path = scenario.dynamicPath?.();
    return { path, headers: scenario.dynamicHeaders?.() ?? {}, body: scenario.body?.() };
  });
}

function runChild(spec) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, "load-child.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
    child.stdin.end(JSON.stringify(spec));
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
  });
}

/** Load on `url + scenario.path`; `cpu_ms_per_request` is workerd's CPU over the run divided by the requests answered. */
export async function measure(pid, url, scenario, { connections, duration }) {
  const spec = {
    url: url + scenario.path,
    method: scenario.method ?? "GET",
    headers: scenario.headers ?? {},
    variants: variants(scenario),
    connections,
    duration,
  };
  // The child takes a moment to start; CPU is sampled around the whole child, and workerd is idle
  // outside the load, so the window is exactly the load.
  const before = treeCpuMs(pid);
  const result = await runChild(spec);
  const cpu = treeCpuMs(pid) - before;
  return { ...result, cpu_ms_per_request: +(cpu / Math.max(1, result.total_requests)).toFixed(3) };
}
