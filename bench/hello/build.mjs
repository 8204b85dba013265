// Bundles the hello-world Worker with esbuild, as wrangler would (one ES module, no Node built-ins).
import { build } from "esbuild";
import { join } from "node:path";

export async function buildHello(outDir) {
  const outfile = join(outDir, "index.js");
  await build({ entryPoints: [join(import.meta.dirname, "index.js")], outfile, bundle: true, format: "esm", platform: "neutral", target: "es2022", minify: false, logLevel: "warning" });
  return outfile;
}
