// Crash test: the built Worker runs in workerd (Miniflare in its own process group) on persisted
// state; mixed concurrent bursts of API traffic run against it while it is SIGKILLed at seeded
// moments and restarted on the same state; then recovery runs and every invariant is checked in SQL.
//   npm run test:crash [-- --seed N]     (or CRASH_SEED=N); the seed is printed so a failure replays
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accessToken } from "../lib/access-token.mjs";
import { migrate } from "../lib/migrate.mjs";
import { ADMIN_ID, CLIENT_IDS, WORKER_IDS, seed as seedDatabase } from "./database.mjs";
import { createClient } from "./http.mjs";
import { checkInvariants } from "./invariants.mjs";
import { build, startMiniflare, workerOptions } from "../lib/miniflare.mjs";
import { createOperations, drawOperation, rng } from "./operations.mjs";
import { recover, startRecoveryRuntime } from "./recovery.mjs";
import { printReport } from "./report.mjs";
import { spawnRuntime } from "./runtime-process.mjs";

const KILLS = 22;
const MIN_KILLS = 20;
const BURST = 100; // operations drawn per round; the kill comes somewhere in the first 60%
const CONCURRENCY = 8;
const MAX_KILL_DELAY_MS = 40;
const SECRET = "crash-test-secret-0123456789-0123456789";

function seedArgument() {
  const flag = process.argv.indexOf("--seed");
  const value = flag >= 0 ? process.argv[flag + 1] : process.env.CRASH_SEED;
  if (value === undefined) return Math.floor(Math.random() * 2 ** 31);
  if (!/^\d+$/.test(value)) throw new Error(`--seed must be a non-negative integer, got ${value}`);
  return Number(value);
}

/** Runs operations `CONCURRENCY` at a time; `delay` ms after operation `killAt` starts, kills the runtime and starts no more. */
async function burst(operations, ops, killAt, delay, kill) {
  let next = 0;
  let stopped = false;
  let killed = null;
  const killNow = () => {
    stopped = true;
    return kill();
  };
  async function lane() {
    while (!stopped && next < ops.length) {
      const index = next++;
      if (index === killAt) killed = new Promise((resolve) => setTimeout(resolve, delay)).then(killNow);
      await operations.run(ops[index]);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  await (killed ?? killNow());
}

// Through exit, so the runtime's process group is killed too (see runtime-process.mjs).
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(1));

const started = performance.now();
const seed = seedArgument();
console.log(`seed: ${seed}`);
const dir = mkdtempSync(join(tmpdir(), "crash-"));
build(join(dir, "dist"));
const runtime = {
  workerOptions: await workerOptions(join(dir, "dist"), { JWT_SECRET: SECRET, ENVIRONMENT: "production" }),
  persistDir: join(dir, "state"),
};
const runtimeFile = join(dir, "runtime.json");
writeFileSync(runtimeFile, JSON.stringify(runtime));
{
  const { mf } = await startMiniflare(runtime);
  const db = await mf.getD1Database("DB");
  await migrate(db);
  await seedDatabase(db);
  await mf.dispose();
}

const tokens = {};
for (const [ids, role] of [[[ADMIN_ID], "admin"], [CLIENT_IDS, "client"], [WORKER_IDS, "worker"]]) {
  for (const id of ids) tokens[id] = await accessToken(SECRET, id, role);
}
const client = createClient();
const operations = createOperations({ client, tokens, seed });
const random = rng(seed);
const inFlightAtKills = [];
let opId = 0;
for (let round = 0; round < KILLS; round++) {
  const worker = await spawnRuntime(runtimeFile);
  client.use(worker.url);
  const ops = Array.from({ length: BURST }, () => drawOperation(random, opId++));
  const killAt = 4 + Math.floor(random() * (BURST * 0.6 - 4));
  const delay = Math.floor(random() * MAX_KILL_DELAY_MS);
  await burst(operations, ops, killAt, delay, async () => {
    inFlightAtKills.push(client.killing());
    await worker.kill();
  });
}

const final = await startRecoveryRuntime(runtime);
client.use(final.url);
// What the crashes left for the recovery to settle: the same checks, before it runs.
const leftByCrashes = await checkInvariants(final.db);
const { jobs, replays } = await recover(final, { client, adminToken: tokens[ADMIN_ID], operations });
const violations = [
  ...(await checkInvariants(final.db)),
  ...operations.replayMismatches.map((row) => ({ invariant: "Idempotency-Key replay differs from its first answer", row })),
];
const { results: [counts] } = await final.db
  .prepare("SELECT (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM payments) AS payments, (SELECT COUNT(*) FROM refunds) AS refunds, " +
    "(SELECT COUNT(*) FROM escrows WHERE status = 'released') AS released, (SELECT COUNT(*) FROM escrows WHERE status = 'disputed') AS disputed, " +
    "(SELECT COUNT(*) FROM ledger_entries) AS ledger")
  .all();
await final.mf.dispose();

const { stats } = client;
const seconds = (performance.now() - started) / 1000;
printReport({ seed, seconds, counts, keys: operations.keys.length, stats, leftByCrashes, jobs, replays, inFlightAtKills, violations });

const failed = violations.length > 0 || inFlightAtKills.length < MIN_KILLS || stats.failures.length > 0;
if (failed) console.log(`state kept for inspection in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
