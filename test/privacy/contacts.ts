import { expect } from "vitest";
import type { Role } from "../../drizzle/schema";
import { createUser, unique } from "../helpers/factories";
import { loadDocument, operationsOf, responseSchema, validate } from "../helpers/openapi-contract";
import type { OpenApiDocument } from "../helpers/openapi-document";

let phoneSequence = 0;

/** A user with an email and phone no other row holds, so finding either string in a body is a leak. */
export async function userWithContacts(role: Role) {
  const email = `${unique("private")}@example.com`;
  const phone = `+1 555 ${Date.now() % 1_000_000} ${phoneSequence++}`;
  return { ...(await createUser(role, { email, phone })), email, phone };
}

export const PUBLIC_USER_KEYS = ["date_joined", "first_name", "id", "is_verified", "last_name", "role", "username"];
export const FULL_USER_KEYS = [...PUBLIC_USER_KEYS, "email", "phone"].sort();

export const keysOf = (value: object | null | undefined) => Object.keys(value ?? {}).sort();

/** The whole JSON text of a body contains none of the given strings (wherever they might be nested). */
export function expectNoneOf(body: unknown, secrets: string[]) {
  const text = JSON.stringify(body);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

let doc: Promise<OpenApiDocument> | undefined;

/** Errors of `body` against the served OpenAPI document's response schema of `operationId`. */
export async function contractErrors(operationId: string, status: number, body: unknown): Promise<string[]> {
  doc ??= loadDocument();
  const document = await doc;
  const op = operationsOf(document).find((o) => o.operationId === operationId);
  const schema = op && responseSchema(op, status);
  if (!schema) throw new Error(`${operationId} documents no ${status} JSON body`);
  return validate(document, schema, body);
}
