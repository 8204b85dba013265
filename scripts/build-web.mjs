// Bundles the web client (web/src/main.ts) into public/app.js, served by the Worker's static assets.
// Runs on `npm install` and before `npm run dev`; re-run it (`npm run build:web`) after editing web/src.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const options = {
  entryPoints: [join(root, "web/src/main.ts")],
  outfile: join(root, "public/app.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  logLevel: "warning",
};

await build(options);
