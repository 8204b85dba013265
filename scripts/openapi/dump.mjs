// Prints the OpenAPI document exactly as the built Worker serves it at /api/schema/: the bundle is
// built and started in the local runtime (Miniflare), and the document is fetched from it.
//   node scripts/openapi/dump.mjs [out.json]
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, startMiniflare, workerOptions } from "../lib/miniflare.mjs";

const bundleDir = join(import.meta.dirname, "../../.tmp/openapi-build");
build(bundleDir);
const { mf, url } = await startMiniflare({ workerOptions: await workerOptions(bundleDir, { JWT_SECRET: "openapi-dump-".padEnd(40, "x") }, "openapi") });
try {
  const response = await fetch(`${url}/api/schema/`);
  if (!response.ok) throw new Error(`/api/schema/ answered ${response.status}`);
  const text = `${JSON.stringify(await response.json(), null, 2)}\n`;
  if (process.argv[2]) writeFileSync(process.argv[2], text);
  else process.stdout.write(text);
} finally {
  await mf.dispose();
}
