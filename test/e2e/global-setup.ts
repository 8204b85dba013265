// Starts the app with `wrangler dev` on a free port against a fresh local D1 (its own --persist-to
// directory, so every run starts empty), creates an admin with `npm run createsuperuser`, and
// stops the server afterwards. wrangler's output is kept in test-results/e2e/wrangler.log.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ADMIN, ARTIFACTS } from "./artifacts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_LOG_PATH: join(process.cwd(), ".wrangler/logs"),
  NO_COLOR: "1",
};

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForHealth(baseUrl: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`wrangler dev exited early; see ${ARTIFACTS}/wrangler.log`);
    try {
      if ((await fetch(`${baseUrl}/api/health/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not become healthy within 60 s; see ${ARTIFACTS}/wrangler.log`);
}

export default async function setup(project: TestProject) {
  mkdirSync(ARTIFACTS, { recursive: true });
  run("npm", ["run", "build:web"]);
  const persistTo = mkdtempSync(join(tmpdir(), "marketplace-e2e-"));
  run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
  run("npm", ["run", "createsuperuser", "--", "--username", ADMIN.username, "--password", ADMIN.password, "--persist-to", persistTo]);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const args = ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistTo];
  const server = spawn("npx", [...args, "--var", `ALLOWED_ORIGINS:${baseUrl}`, "--show-interactive-dev-session=false"], {
    env,
    detached: true, // its own process group, so teardown stops npx, wrangler and workerd together
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(join(ARTIFACTS, "wrangler.log"));
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  let exited = false;
  const stopped = new Promise<void>((resolve) =>
    server.on("exit", () => {
      exited = true;
      resolve();
    }),
  );

  const teardown = async () => {
    if (!exited) {
      process.kill(-server.pid!, "SIGTERM");
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (!exited) process.kill(-server.pid!, "SIGKILL");
    }
    rmSync(persistTo, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, () => exited);
  } catch (error) {
    await teardown();
    throw error;
  }
  project.provide("baseUrl", baseUrl);
  return teardown;
}
