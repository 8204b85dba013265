// The runtime process the crash test SIGKILLs: `node runtime.mjs <runtime.json>` starts Miniflare
// on the persisted state and prints `ready <url>` once workerd serves.
import { readFileSync } from "node:fs";
import { startMiniflare } from "../lib/miniflare.mjs";

const { url } = await startMiniflare(JSON.parse(readFileSync(process.argv[2], "utf8")));
console.log(`ready ${url}`);
