import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Role } from "../../drizzle/schema";
import { PASSWORD } from "../helpers/factories";
import { requestArbitrary, type FuzzRequest, type Hints } from "../helpers/fuzz-arbitraries";
import { reportCounts } from "../helpers/hardening-report";
import { CARD, createWorld, existingParams, roleFor, type World } from "../helpers/hardening-world";
import { call, uniqueIp, type CallResult } from "../helpers/http";
import { fillPath, isContractError, loadDocument, operationsOf, responseSchema, secretKeys, validate, type Operation } from "../helpers/openapi-contract";

/** Fixed so a failure reproduces; change the seed locally to explore further. */
const SEED = 20261124;
const RUNS_PER_OPERATION = 60;
/** The body-size limit is app-wide middleware, so any route may answer it. */
const APP_WIDE_STATUSES = new Set([413]);

const doc = await loadDocument();
const operations = operationsOf(doc);
const totals = { operations: 0, cases: 0, server_errors: 0, documented_unavailable: 0, violations: 0, successes: 0 };

/** Field values that reach the happy path: ids and credentials of the world's objects, half the time. */
const hintsFor = (world: World): Hints => ({
  service_id: fc.constant(world.service.id),
  service: fc.constant(world.service.id),
  category_id: fc.constant(world.category.id),
  category: fc.constant(world.category.id),
  worker_id: fc.constant(world.users.worker.id),
  worker: fc.constant(world.users.worker.id),
  username: fc.oneof(fc.constant(world.users.client.username), fc.stringMatching(/^[\w.@+-]{1,30}$/)),
  password: fc.oneof(fc.constant(PASSWORD), fc.string({ maxLength: 130 })),
  current_password: fc.constant(PASSWORD),
  card_number: fc.constantFrom("4242424242424242", "4000000000000002", "4000000000009995", "4000000000000119", "4000000000005126"),
  card_expiry: fc.constantFrom(CARD.card_expiry, "01/20", "13/99"),
  card_cvv: fc.constant(CARD.card_cvv),
  amount: fc.constantFrom("0.01", "1", "10.5", "99999.99"),
});

/** A 503 the operation documents (e.g. the Stripe webhook while Stripe is not configured), in the contract's shape. */
const isDocumentedUnavailable = (op: Operation, res: CallResult<Record<string, unknown>>) =>
  res.status === 503 && Boolean(op.responses["503"]) && res.body?.code === "service_unavailable";

/** Everything wrong with one response, as seen by a client holding the OpenAPI document. */
function contractViolations(op: Operation, req: FuzzRequest, existing: Record<string, string>, res: CallResult<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  if (res.status >= 500 && !isDocumentedUnavailable(op, res)) problems.push(`server error ${res.status}: ${JSON.stringify(res.body)}`);
  if (!res.headers.get("X-Request-Id")) problems.push("no X-Request-Id");
  // A mangled path segment (empty, or an encoded "/") may match no route at all: the app's 404.
  const mangledPath = Object.entries(req.params).some(([name, value]) => value !== existing[name]);
  const documented = op.responses[String(res.status)] || APP_WIDE_STATUSES.has(res.status) || (mangledPath && res.status === 404);
  if (!documented) problems.push(`undocumented status ${res.status}`);
  if (res.status >= 400 && !isContractError(res.status, res.body)) problems.push(`error body off contract: ${JSON.stringify(res.body)}`);
  if (res.status < 300) {
    const schema = responseSchema(op, res.status);
    if (schema) problems.push(...validate(doc, schema, res.body).map((e) => `${res.status} body breaks schema: ${e}`));
    else if (res.body !== null) problems.push(`${res.status} has an undocumented body`);
    // (Error bodies may name a field such as `password`; only data leaving the server is checked.)
    problems.push(...secretKeys(res.body).map((key) => `secret field in response: ${key}`));
  }
  return problems;
}

async function send(op: Operation, token: string | undefined, req: FuzzRequest) {
  const query = req.query.length ? `?${new URLSearchParams(req.query)}` : "";
  return call(op.method, fillPath(op.path, req.params) + query, { token, headers: req.headers, body: req.body, ip: uniqueIp() });
}

describe(`OpenAPI-driven fuzzing (seed ${SEED}, ${RUNS_PER_OPERATION} cases per operation)`, () => {
  for (const op of operations) {
    it(`${op.method} ${op.path} (${op.operationId})`, async () => {
      const world = await createWorld();
      const role: Role | undefined = await roleFor(op, world);
      const token = role && world.users[role].token;
      const examples = new Map<string, string>();
      const existing = existingParams(op, world, role ?? "client");
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(doc, op, existing, hintsFor(world)), async (req) => {
          const res = await send(op, token, req);
          cases++;
          if (isDocumentedUnavailable(op, res)) totals.documented_unavailable++;
          else if (res.status >= 500) totals.server_errors++;
          if (res.status < 300) totals.successes++;
          for (const problem of contractViolations(op, req, existing, res)) {
            const key = problem.slice(0, 80);
            if (!examples.has(key)) examples.set(key, `${problem}\n    request: ${JSON.stringify(req).slice(0, 400)}`);
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
      totals.operations++;
      totals.cases += cases;
      totals.violations += examples.size;
      expect([...examples.values()]).toEqual([]);
    });
  }

  it("covered every operation of the document and reached real successes", (context) => {
    reportCounts(context, totals);
    expect(totals.operations).toBe(operations.length);
    expect(totals.cases).toBe(operations.length * RUNS_PER_OPERATION);
    expect(totals.server_errors).toBe(0);
    // Bodies built from the schema and hints must get past validation, or the fuzzing is only testing the validator.
    expect(totals.successes).toBeGreaterThan(operations.length * 5);
  });
});
