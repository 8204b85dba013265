// Starts bare `workerd serve` on a generated config and reads its CPU time from /proc (Linux only).
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");
const CLOCK_TICKS_PER_S = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** A free loopback port (the OS picks one; workerd binds it a moment later). */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

/** utime + stime of the process (all its threads) and of its waited-for children, in ms. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0); // utime stime cutime cstime
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

/** CPU of the process and every descendant still running (workerd normally has none). */
export function treeCpuMs(pid) {
  let total = cpuMs(pid);
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
    for (const child of children ? children.split(" ") : []) total += treeCpuMs(child);
  }
  return total;
}

async function waitForOk(url, deadline) {
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {}
    if (performance.now() > deadline) throw new Error(`workerd did not answer ${url} in time`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Spawns workerd and resolves once `readyUrl` answers 2xx; `startup_ms` is spawn → that first success.
 * `inspectorPort` opens V8's inspector (for the CPU profiles).
 */
export async function startWorkerd(configPath, readyUrl, { inspectorPort } = {}) {
  const started = performance.now();
  // --experimental: Miniflare's binding workers use the `experimental` compatibility flag.
  // stdout (the Worker's JSON request logs) is dropped, as the Miniflare run drops them.
  const inspector = inspectorPort ? [`--inspector-addr=127.0.0.1:${inspectorPort}`] : [];
  const child = spawn(join(root, "node_modules/.bin/workerd"), ["serve", "--experimental", ...inspector, configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const killOnExit = () => child.kill();
  process.once("exit", killOnExit); // no workerd left behind if the benchmark dies
  try {
    await Promise.race([waitForOk(readyUrl, started + 30_000), exited.then((code) => Promise.reject(new Error(`workerd exited (${code}):\n${stderr}`)))]);
  } catch (e) {
    child.kill();
    throw e;
  }
  return {
    pid: child.pid,
    startup_ms: Math.round(performance.now() - started),
    stderr: () => stderr,
    stop: async () => {
      process.off("exit", killOnExit);
      child.kill();
      await exited;
    },
  };
}
