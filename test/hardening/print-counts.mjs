// Prints the counts hardening suites attach to their tests (see test/helpers/hardening-report.ts)
// from vitest's JSON report, so CI logs show them even though passing tests' console output is silenced.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(process.argv[2] ?? ".tmp/vitest-results.json", "utf8"));
for (const file of report.testResults) {
  for (const test of file.assertionResults) {
    const counts = test.meta?.hardening;
    if (!counts) continue;
    const fields = Object.entries(counts).map(([name, value]) => `${name}=${value}`).join(" ");
    console.log(`hardening [${test.status}] ${test.fullName}: ${fields}`);
  }
}
