// The built Worker bundle in Miniflare (one workerd) with its storage persisted in a directory.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";

const root = join(import.meta.dirname, "../..");

export function build(outDir) {
  // wrangler's CLI on this Node (the one `npm run` puts first on PATH), not on its shebang's.
  const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
  const result = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outDir], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stderr}`);
}

/** wrangler.toml's worker options for the bundle: plain JSON, so the runtime process needn't import wrangler. */
export async function workerOptions(bundleDir, bindings, name = "local") {
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  // The bundle is one self-contained module, so wrangler's module rules are not needed.
  const { modulesRules: _rules, ...options } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml")).workerOptions;
  return {
    ...options,
    name,
    modules: true,
    scriptPath: join(bundleDir, "index.js"),
    modulesRoot: bundleDir, // module names are relative to it: a bundle outside the project must not be named "../…"
    bindings: { ...options.bindings, ...bindings },
  };
}

export async function startMiniflare({ workerOptions, persistDir }, onLog = () => {}) {
  // wrangler hands out Miniflare-4-shaped options; Miniflare 5 converts them.
  const options = convertV4MiniflareOptions({
    workers: [workerOptions],
    resourcePersistencePath: persistDir,
    host: "127.0.0.1",
    port: 0,
    cf: false, // offline: no fetch of the Request.cf placeholder
    log: new Log(LogLevel.WARN),
  });
  const mf = new Miniflare({ ...options, handleStructuredLogs: onLog });
  const url = await mf.ready;
  return { mf, url: url.toString().replace(/\/$/, "") };
}
