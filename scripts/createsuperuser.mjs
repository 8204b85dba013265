// Creates an admin account in the local D1 database (default) or the deployed one (--remote).
// Usage: npm run createsuperuser -- --username NAME --password PASS [--email EMAIL] [--remote | --persist-to DIR]
// Missing username/password are prompted for when a terminal is attached.
import { spawnSync } from "node:child_process";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { hashPassword, passwordPolicyErrors } from "../src/lib/passwords.ts";

const { values } = parseArgs({
  options: {
    username: { type: "string" },
    password: { type: "string" },
    email: { type: "string", default: "" },
    remote: { type: "boolean", default: false },
    "persist-to": { type: "string" }, // a local D1 state directory other than .wrangler/state (e2e tests)
  },
});

function fail(message) {
  console.error(`createsuperuser: ${message}`);
  process.exit(1);
}

async function ask(question) {
  if (!process.stdin.isTTY) return "";
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(question);
  rl.close();
  return answer.trim();
}

const persistTo = values["persist-to"] ? ["--persist-to", values["persist-to"]] : [];
const target = values.remote ? ["--remote"] : ["--local", ...persistTo];
const sqlText = (text) => `'${String(text).replaceAll("'", "''")}'`;

function d1(args) {
  const result = spawnSync("wrangler", ["d1", ...args], { encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
  if (result.status !== 0) fail(`wrangler d1 ${args[0]} failed:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

const username = values.username || (await ask("Username: "));
const password = values.password || (await ask("Password: "));
if (!username || !/^[\w.@+-]{1,150}$/.test(username)) fail("a valid --username is required (letters, digits and @/./+/-/_).");
if (!password) fail("--password is required.");
const weak = passwordPolicyErrors(password, username);
if (weak.length) fail(`password too weak: ${weak.join(" ")}`);

d1(["migrations", "apply", "DB", ...target]);
const existing = JSON.parse(
  d1(["execute", "DB", ...target, "--json", "--command", `SELECT id FROM users WHERE lower(username) = lower(${sqlText(username)})`]),
);
if (existing[0]?.results?.length) fail(`the username "${username}" is already taken.`);

const now = Date.now();
const hash = await hashPassword(password);
d1([
  "execute",
  "DB",
  ...target,
  "--command",
  `INSERT INTO users (username, email, first_name, last_name, role, phone, is_verified, is_active, password_hash, date_joined)
   VALUES (${sqlText(username)}, ${sqlText(values.email)}, '', '', 'admin', '', 1, 1, ${sqlText(hash)}, ${now})`,
]);
console.log(`Superuser "${username}" created in the ${values.remote ? "remote" : "local"} database.`);
