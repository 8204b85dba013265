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

const devVars = join(root, ".dev.vars");
if (!existsSync(devVars)) {
  const example = readFileSync(join(root, ".dev.vars.example"), "utf8");
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(devVars, example.replace(/^JWT_SECRET=.*$/m, `JWT_SECRET="${secret}"`));
  console.log("Created .dev.vars with a random JWT_SECRET.");
}
