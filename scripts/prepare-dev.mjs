// Runs after `npm install`: copies the API docs' browser bundles into public/vendor/ (served by the
// Worker, so the docs work offline) and creates .dev.vars with a random JWT secret if it is missing.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
const vendor = [
  ["node_modules/swagger-ui-dist/swagger-ui.css", "public/vendor/swagger-ui-dist/swagger-ui.css"],
  ["node_modules/swagger-ui-dist/swagger-ui-bundle.js", "public/vendor/swagger-ui-dist/swagger-ui-bundle.js"],
  ["node_modules/redoc/bundles/redoc.standalone.js", "public/vendor/redoc/redoc.standalone.js"],
];
for (const [from, to] of vendor) {
  mkdirSync(dirname(join(root, to)), { recursive: true });
  copyFileSync(join(root, from), join(root, to));
}

// ReDoc's sidebar badge loads its logo from Redocly's CDN; the docs pages make no third-party
// requests (offline use, privacy), so the badge gets an inline blank image instead.
const redoc = join(root, "public/vendor/redoc/redoc.standalone.js");
const blank = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
writeFileSync(redoc, readFileSync(redoc, "utf8").replaceAll("https://cdn.redoc.ly/redoc/logo-mini.svg", blank));

const devVars = join(root, ".dev.vars");
if (!existsSync(devVars)) {
  const example = readFileSync(join(root, ".dev.vars.example"), "utf8");
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(devVars, example.replace(/^JWT_SECRET=.*$/m, `JWT_SECRET="${secret}"`));
  console.log("Created .dev.vars with a random JWT_SECRET.");
}
