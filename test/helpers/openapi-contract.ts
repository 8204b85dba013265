import { call, type Method } from "./http";
import type { JsonSchema, Media, OpenApiDocument, Parameter } from "./openapi-document";

export interface Operation {
  method: Method;
  path: string;
  operationId: string;
  /** A bearer token is required (every security alternative is bearerAuth; no anonymous `{}`). */
  requiresAuth: boolean;
  parameters: Parameter[];
  body?: JsonSchema;
  responses: Record<string, Media>;
}

export async function loadDocument() {
  const res = await call("GET", "/api/schema/");
  if (res.status !== 200) throw new Error(`GET /api/schema/ → ${res.status}`);
  return res.body;
}

/** Every HTTP operation of the document (the WebSocket handshake is tested on its own). */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => !op.responses["101"])
      .map(([method, op]) => ({
        method: method.toUpperCase() as Method,
        path,
        operationId: op.operationId,
        requiresAuth: Boolean(op.security?.length) && op.security!.every((s) => "bearerAuth" in s),
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.["application/json"]?.schema,
        responses: op.responses,
      })),
  );
}

export const resolve = (doc: OpenApiDocument, schema: JsonSchema): JsonSchema =>
  schema.$ref ? resolve(doc, doc.components.schemas[schema.$ref.split("/").pop()!]) : schema;

const typeOf = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Errors of `value` against `schema` (empty when it conforms), each prefixed with its JSON path. */
export function validate(doc: OpenApiDocument, input: JsonSchema, value: unknown, at = "$"): string[] {
  const schema = resolve(doc, input);
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${at}: ${message}`);
  if (schema.allOf) for (const part of schema.allOf) errors.push(...validate(doc, part, value, at));
  for (const [key, alternatives] of [["anyOf", schema.anyOf], ["oneOf", schema.oneOf]] as const) {
    if (alternatives && !alternatives.some((alt) => validate(doc, alt, value, at).length === 0)) fail(`matches no ${key} alternative`);
  }
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
      fail(`expected ${types.join("|")}, got ${actual}`);
      return errors;
    }
  }
  if (schema.enum && !schema.enum.includes(value)) fail(`${JSON.stringify(value)} not in enum`);
  if (typeof value === "string") {
    if (schema.format === "date-time" && !ISO_DATE_TIME.test(value)) fail(`not a date-time: ${value}`);
    if (schema.pattern && !new RegExp(schema.pattern, "u").test(value)) fail(`does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) fail("too short");
    if (schema.maxLength !== undefined && value.length > schema.maxLength) fail("too long");
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) fail(`below minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) fail(`above maximum ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) fail(`not above ${schema.exclusiveMinimum}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) fail("too many items");
    const items = schema.items;
    if (items) value.forEach((item, i) => void errors.push(...validate(doc, items, item, `${at}[${i}]`)));
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in object)) fail(`missing required ${name}`);
    for (const [name, item] of Object.entries(object)) {
      const declared = schema.properties?.[name];
      if (declared) errors.push(...validate(doc, declared, item, `${at}.${name}`));
      else if (schema.additionalProperties === false) fail(`unexpected property ${name}`);
      else if (typeof schema.additionalProperties === "object") errors.push(...validate(doc, schema.additionalProperties, item, `${at}.${name}`));
    }
  }
  return errors;
}

/** The documented JSON schema of `status` for an operation, if the document declares one. */
export const responseSchema = (op: Operation, status: number) => op.responses[String(status)]?.content?.["application/json"]?.schema;

/** `{"detail","code"}` (plus request_id on 5xx) or a DRF field map: the contract's two error shapes. */
export function isContractError(status: number, body: unknown): boolean {
  if (typeOf(body) !== "object") return false;
  const object = body as Record<string, unknown>;
  if (typeof object.detail === "string" && typeof object.code === "string") return true;
  return status === 400 && isFieldErrors(object);
}

/** `{"field": ["message", ...]}`, nested fields nested the same way (`{"card_expiry": {"month": [...]}}`). */
function isFieldErrors(value: unknown): boolean {
  if (typeOf(value) !== "object") return false;
  const entries = Object.values(value as Record<string, unknown>);
  return entries.length > 0 && entries.every((v) => (Array.isArray(v) ? v.length > 0 && v.every((m) => typeof m === "string") : isFieldErrors(v)));
}

const SECRET_KEY = /password|hash|secret|cvv|card_number/i;

/** Paths of keys in a response body that must never leave the server. */
export function secretKeys(value: unknown, at = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => secretKeys(item, `${at}[${i}]`));
  if (typeOf(value) !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => [
    ...(SECRET_KEY.test(key) ? [`${at}.${key}`] : []),
    ...secretKeys(item, `${at}.${key}`),
  ]);
}

/** `/api/orders/{id}/` with its path parameters filled in. */
export const fillPath = (path: string, params: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
