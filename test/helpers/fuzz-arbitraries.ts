import fc from "fast-check";
import { resolve, type Operation } from "./openapi-contract";
import type { JsonSchema, OpenApiDocument } from "./openapi-document";

const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "'; DROP TABLE users; --",
  "\" OR 1=1 --",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "%00%2e%2e",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text on purpose
  "${7*7}{{7*7}}",
  "𝕌𝕟𝕚𝕔𝕠𝕕𝕖 👩‍👩‍👧 ‮RTL",
  "\ud800",
  "NaN",
  "null",
  "-1",
  "1e309",
  "0x10",
  "2026-13-45T99:99:99Z",
];

const NASTY_NUMBERS = [-1, 0, -0, 0.5, 1.005, 1e308, -1e308, 2 ** 53 + 1, 2 ** 63, 1e-7, 1000000.01, 99999999999];

const adversarialString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 70_000 }).map((n) => "x".repeat(n)) },
);

const adversarialNumber = fc.oneof(fc.constantFrom(...NASTY_NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());

/** A value of any JSON type, biased towards the ones that break naive code. */
const adversarialValue: fc.Arbitrary<unknown> = fc.oneof(
  adversarialString,
  adversarialNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** Values a named field should take to reach the happy path (existing ids and the like). */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

const MONEY_EXAMPLE = /^\d+\.\d{2}$/;
const futureIso = fc
  .integer({ min: 1, max: 3650 })
  .map((days) => new Date(Date.now() + days * 86_400_000).toISOString());

/** Mostly valid values of `schema` (its bounds, formats and enums), so handlers get past validation. */
function validValue(doc: OpenApiDocument, input: JsonSchema, hints: Hints, name?: string): fc.Arbitrary<unknown> {
  if (name && hints[name]) return hints[name];
  const schema = resolve(doc, input);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alt) => validValue(doc, alt, hints, name)));
  if (schema.allOf) return validValue(doc, schema.allOf[0], hints, name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string":
      if (schema.format === "date-time") return futureIso;
      if (schema.format === "email") return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
      if (typeof schema.example === "string" && MONEY_EXAMPLE.test(schema.example)) {
        return fc.integer({ min: 1, max: 100_000_000 }).map((cents) => (cents / 100).toFixed(2));
      }
      if (schema.pattern) {
        return fc.stringMatching(new RegExp(schema.pattern)).map((s) => s.slice(0, schema.maxLength ?? 100)).filter((s) => s.length >= (schema.minLength ?? 0));
      }
      return fc.string({ unit: "grapheme", minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    case "integer":
    case "number": {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      return fc.integer({ min, max: schema.maximum ?? Math.max(min, 0) + 1000 });
    }
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(schema.items ? validValue(doc, schema.items, hints) : fc.jsonValue(), { maxLength: Math.min(schema.maxItems ?? 5, 5) });
    case "object":
      return validObject(doc, schema, hints);
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

function validObject(doc: OpenApiDocument, schema: JsonSchema, hints: Hints) {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([key, prop]) => [key, validValue(doc, prop, hints, key)]));
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) });
}

/** Fields a client must never be able to set, sent as extra fields. */
const PRIVILEGED_FIELDS = ["role", "is_verified", "is_staff", "status", "total_price", "price", "rating", "worker", "worker_id", "client", "id", "user", "__proto__", "constructor"];

/** A valid body with some fields dropped, replaced by adversarial values, or extra fields added. */
function mutatedObject(doc: OpenApiDocument, schema: JsonSchema, hints: Hints) {
  const names = Object.keys(resolve(doc, schema).properties ?? {});
  return fc
    .record({
      base: validValue(doc, schema, hints),
      drop: fc.subarray(names),
      replace: fc.array(fc.tuple(fc.constantFrom(...names, ...PRIVILEGED_FIELDS), adversarialValue), { maxLength: 3 }),
    })
    .map(({ base, drop, replace }) => {
      const body: Record<string, unknown> = { ...(base as object) };
      for (const key of drop) delete body[key];
      for (const [key, value] of replace) Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
      return body;
    });
}

export interface FuzzRequest {
  params: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  /** The raw body text (undefined = no body at all). */
  body?: string;
}

const MALFORMED_JSON = ['{"a":', "{'a': 1}", "[1, 2", "undefined", "\u0000", '{"a": NaN}', "", "{}}", '{"__proto__": {"admin": true}}'];
const CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=latin1", "application/json;;", ""];
/** Adversarial strings short enough for a URL, without lone surrogates (which no client can encode). */
const pathSafe = adversarialString.filter((s) => s.length < 2000).map((s) => s.replace(/\p{Surrogate}/gu, "\ufffd"));
const headerText = fc.stringMatching(/^[\x20-\x7e]{0,300}$/);

/** Body text plus the Content-Type it is sent with (undefined = header absent). */
function bodyArbitrary(doc: OpenApiDocument, schema: JsonSchema | undefined, hints: Hints) {
  if (!schema) return fc.constant({ body: undefined as string | undefined, contentType: undefined as string | undefined });
  const asJson = (value: fc.Arbitrary<unknown>) => value.map((v) => ({ body: JSON.stringify(v) as string | undefined, contentType: "application/json" as string | undefined }));
  return fc.oneof(
    { weight: 6, arbitrary: asJson(validValue(doc, schema, hints)) },
    { weight: 6, arbitrary: asJson(mutatedObject(doc, schema, hints)) },
    { weight: 1, arbitrary: asJson(adversarialValue) },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_JSON).map((body) => ({ body, contentType: "application/json" })) },
    { weight: 1, arbitrary: fc.constant({ body: undefined, contentType: undefined }) },
    {
      weight: 1,
      arbitrary: fc.tuple(validValue(doc, schema, hints), fc.constantFrom(...CONTENT_TYPES)).map(([v, contentType]) => ({ body: JSON.stringify(v), contentType })),
    },
  );
}

/** Random and adversarial params, query, headers and body for one operation. */
export function requestArbitrary(doc: OpenApiDocument, op: Operation, existing: Record<string, string>, hints: Hints): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query");
  const params = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [
        p.name,
        fc.oneof({ weight: 6, arbitrary: fc.constant(existing[p.name]) }, { weight: 1, arbitrary: pathSafe }),
      ]),
    ) as Record<string, fc.Arbitrary<string>>,
  );
  const query = fc
    .array(
      fc.constantFrom(...queryParams, null).chain((p) =>
        p
          ? fc.tuple(fc.constant(p.name), fc.oneof(validValue(doc, p.schema, hints).map(String), pathSafe))
          : fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => pairs as [string, string][]);
  const extraHeaders = fc.record(
    {
      "Idempotency-Key": headerText,
      "X-Forwarded-For": headerText,
      Accept: fc.constantFrom("*/*", "text/html", "application/xml"),
      Origin: fc.constantFrom("https://evil.example", "null"),
      // A malformed token on a public route is ignored; protected routes get a valid one instead.
      ...(op.requiresAuth ? {} : { Authorization: headerText.map((t) => `Bearer ${t}`) }),
    },
    { requiredKeys: [] },
  );
  return fc.record({ params, query, extraHeaders, body: bodyArbitrary(doc, op.body, hints) }).map(({ params, query, extraHeaders, body }) => {
    const headers: Record<string, string> = { ...extraHeaders };
    if (body.contentType !== undefined) headers["Content-Type"] = body.contentType;
    return { params, query, headers, body: body.body };
  });
}
