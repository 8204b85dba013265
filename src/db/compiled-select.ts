import { Column, SQL, fillPlaceholders, is, sql, type DriverValueDecoder } from "drizzle-orm";
import type { Db } from "./client";

/**
 * Selects whose SQL is generated once per isolate and shape. Drizzle generates a statement's SQL on
 * every execution, and for a catalog read with its joins that cost more CPU than everything else
 * the Worker does for it (bench/results: CPU profile, drizzle's `is` on top). A hot read builds its
 * query once with `sql.placeholder(name)` for every value; each request binds its values and maps
 * the rows as drizzle does (each column's `mapFromDriverValue`, nested objects). Inner joins only:
 * drizzle's nulling of a left-joined table's object is not reproduced.
 */
interface Compiled {
  /** The SQL text around its parameters: parts[0] ? parts[1] ? … */
  parts: string[];
  params: unknown[];
  /** The nested objects of a row (node 0 is the row itself; a node comes after its parent). */
  nodes: { parent: number; key: string }[];
  /** The select list, in order: where each value goes and how it is decoded. */
  leaves: { node: number; key: string; decode: (value: unknown) => unknown }[];
}

/** A select as drizzle's builders make it: its SQL, and the selection it maps rows into. */
interface SelectQuery {
  toSQL(): { sql: string; params: unknown[] };
  _: { selectedFields: Record<string, unknown> };
}

// drizzle keeps an expression's `.mapWith()` decoder on `decoder`, outside its public types.
const decoderOf = (expression: SQL) => (expression as unknown as { decoder: DriverValueDecoder<unknown, unknown> }).decoder;

/** Walks the selection in drizzle's order (Object.entries, depth first), which is the order of the SQL select list. */
function addFields(target: Pick<Compiled, "nodes" | "leaves">, fields: Record<string, unknown>, node: number) {
  for (const [key, field] of Object.entries(fields)) {
    if (is(field, Column)) target.leaves.push({ node, key, decode: (v) => field.mapFromDriverValue(v) });
    else if (is(field, SQL)) target.leaves.push({ node, key, decode: (v) => decoderOf(field).mapFromDriverValue(v) });
    else if (is(field, SQL.Aliased)) target.leaves.push({ node, key, decode: (v) => decoderOf(field.sql).mapFromDriverValue(v) });
    else {
      target.nodes.push({ parent: node, key });
      addFields(target, field as Record<string, unknown>, target.nodes.length);
    }
  }
}

function compile(query: SelectQuery): Compiled {
  const { sql: text, params } = query.toSQL();
  const parts = text.split("?");
  // The catalog's SQL has no literal "?"; a statement that did could not be split this way.
  if (parts.length !== params.length + 1) throw new Error("compiledSelect: the SQL text contains a literal '?'");
  const compiledQuery: Compiled = { parts, params, nodes: [], leaves: [] };
  addFields(compiledQuery, query._.selectedFields, 0);
  return compiledQuery;
}

function toRow({ nodes, leaves }: Compiled, values: unknown[]) {
  const objects: Record<string, unknown>[] = [{}];
  for (const { parent, key } of nodes) {
    const object = {};
    objects[parent][key] = object;
    objects.push(object);
  }
  for (let i = 0; i < leaves.length; i++) {
    const { node, key, decode } = leaves[i];
    const value = values[i];
    objects[node][key] = value === null ? null : decode(value);
  }
  return objects[0];
}

const compiled = new Map<string, Compiled>();

/**
 * Runs the select `build` makes (its values as placeholders named in `values`), compiled once per
 * `shape`: a key that names everything that changes the SQL text (which filters are present, the
 * ordering, the caller's visibility), from a finite set the caller's code defines.
 */
export async function compiledSelect<Row>(db: Db, shape: string, build: () => SelectQuery, values: Record<string, unknown>): Promise<Row[]> {
  let query = compiled.get(shape);
  if (!query) {
    query = compile(build());
    compiled.set(shape, query);
  }
  const params = fillPlaceholders(query.params, values);
  const statement = sql.join(query.parts.flatMap((part, i) => (i === 0 ? [sql.raw(part)] : [sql`${params[i - 1]}`, sql.raw(part)])));
  const rows = await db.values<unknown[]>(statement);
  return rows.map((values) => toRow(query, values) as Row);
}
