// The runtime as a separate process group (node + its workerd child), so it can be SIGKILLed whole.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";

const START_TIMEOUT_MS = 30_000;

export async function spawnRuntime(optionsFile) {
  const child = spawn(process.execPath, [join(import.meta.dirname, "runtime.mjs"), optionsFile], {
    detached: true, // its own process group: workerd goes down with it
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  // A detached group outlives this process: never leave one running if the test itself fails.
  const killOnExit = () => groupAlive(child.pid) && process.kill(-child.pid, "SIGKILL");
  process.on("exit", killOnExit);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("runtime did not start in time")), START_TIMEOUT_MS);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (!line.startsWith("ready ")) return;
      clearTimeout(timer);
      resolve(line.slice("ready ".length));
    });
    exited.then(([code, signal]) => reject(new Error(`runtime exited before it was ready (${code ?? signal})`)));
  });
  return {
    url,
    /** SIGKILL to the whole group: no shutdown hooks, no flush, exactly like a machine dying. */
    async kill() {
      process.kill(-child.pid, "SIGKILL");
      await exited;
      // workerd is reaped by init, not by us: wait until no process of the group is left.
      while (groupAlive(child.pid)) await new Promise((resolve) => setTimeout(resolve, 10));
      process.off("exit", killOnExit);
    },
  };
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
