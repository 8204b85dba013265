// Creates an admin account in the local D1 database (default), the deployed one (--remote), or the
// Turso/libSQL database named by TURSO_DATABASE_URL and TURSO_AUTH_TOKEN (--turso).
// Usage: npm run createsuperuser -- --username NAME --password PASS [--email EMAIL] [--remote | --turso | --persist-to DIR]
// Missing username/password are prompted for when a terminal is attached.
import { createClient } from "@libsql/client";
import { spawnSync } from "node:child_process";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { hashPassword, passwordPolicyErrors } from "../src/lib/passwords.ts";
import { migrateLibsql } from "./migrate-turso.ts";

const { values } = parseArgs({
  options: {
    username: { type: "string" },
    password: { type: "string" },
    email: { type: "string", default: "" },
    remote: { type: "boolean", default: false },
    turso: { type: "boolean", default: false },
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

/** The local or remote D1 database, through wrangler. */
function d1Database() {
  const persistTo = values["persist-to"] ? ["--persist-to", values["persist-to"]] : [];
  const target = values.remote ? ["--remote"] : ["--local", ...persistTo];
  const d1 = (args) => {
    const result = spawnSync("wrangler", ["d1", ...args], { encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
    if (result.status !== 0) fail(`wrangler d1 ${args[0]} failed:\n${result.stderr || result.stdout}`);
    return result.stdout;
  };
  // `wrangler d1 execute` takes no bound parameters: values are inlined as SQL literals.
  const literal = (value) => (typeof value === "number" ? String(value) : `'${String(value).replaceAll("'", "''")}'`);
  const inline = (sql, args) => {
    const rest = [...args];
    return sql.replace(/\?/g, () => literal(rest.shift()));
  };
  return {
    name: values.remote ? "remote D1 database" : "local D1 database",
    migrate: async () => d1(["migrations", "apply", "DB", ...target]),
    query: async (sql, args) => JSON.parse(d1(["execute", "DB", ...target, "--json", "--command", inline(sql, args)]))[0]?.results ?? [],
  };
}

/** The Turso / libSQL database at TURSO_DATABASE_URL, migrated as `npm run db:migrate:turso` does. */
function libsqlDatabase() {
  const url = process.env.TURSO_DATABASE_URL;
  if (!url) fail("--turso needs TURSO_DATABASE_URL (and TURSO_AUTH_TOKEN for Turso Cloud).");
  const authToken = process.env.TURSO_AUTH_TOKEN || undefined;
  const client = createClient({ url, authToken });
  return {
    name: `libSQL database at ${new URL(url).host || url}`,
    migrate: () => migrateLibsql(url, authToken),
    query: async (sql, args) => (await client.execute({ sql, args })).rows,
  };
}

if (values.remote && values.turso) fail("choose one of --remote (D1) and --turso.");
const username = values.username || (await ask("Username: "));
const password = values.password || (await ask("Password: "));
if (!username || !/^[\w.@+-]{1,150}$/.test(username)) fail("a valid --username is required (letters, digits and @/./+/-/_).");
if (!password) fail("--password is required.");
const weak = passwordPolicyErrors(password, username);
if (weak.length) fail(`password too weak: ${weak.join(" ")}`);

const db = values.turso ? libsqlDatabase() : d1Database();
await db.migrate();
const existing = await db.query("SELECT id FROM users WHERE lower(username) = lower(?)", [username]);
if (existing.length) fail(`the username "${username}" is already taken.`);
await db.query(
  `INSERT INTO users (username, email, first_name, last_name, role, phone, is_verified, is_active, password_hash, date_joined)
   VALUES (?, ?, '', '', 'admin', '', 1, 1, ?, ?)`,
  [username, values.email, await hashPassword(password), Date.now()],
);
console.log(`Superuser "${username}" created in the ${db.name}.`);
