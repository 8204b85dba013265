// Prints the OpenAPI document exactly as the built Worker serves it at /api/schema/: the bundle is
// built and started in the local runtime (Miniflare), and the document is fetched from it.
//   node scripts/openapi/dump.mjs [out.json]
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const root = join(import.meta.dirname, "../..");
const outDir = join(root, ".tmp/openapi-build");

const build = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outDir], {
  cwd: root,
  encoding: "utf8",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
if (build.status !== 0) throw new Error(`build failed:\n${build.stderr}`);

// The bundle is one self-contained module, so wrangler's module rules are not needed.
const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml")).workerOptions;
const mf = new Miniflare({
  ...convertV4MiniflareOptions({
    workers: [{ ...workerOptions, modules: true, scriptPath: join(outDir, "index.js"), bindings: { ...workerOptions.bindings, JWT_SECRET: "openapi-dump-".padEnd(40, "x") } }],
    cf: false,
    log: new Log(LogLevel.WARN),
  }),
  handleStructuredLogs: () => {},
});
try {
  const response = await mf.dispatchFetch("http://localhost/api/schema/");
  if (!response.ok) throw new Error(`/api/schema/ answered ${response.status}`);
  const text = `${JSON.stringify(await response.json(), null, 2)}\n`;
  if (process.argv[2]) writeFileSync(process.argv[2], text);
  else process.stdout.write(text);
} finally {
  await mf.dispose();
}
