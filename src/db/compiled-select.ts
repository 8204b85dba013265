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
  leaves: Leaf[];
}

interface Leaf {
  path: string[];
  decode: (value: unknown) => unknown;
}

/** A select as drizzle's builders make it: its SQL, and the selection it maps rows into. */
interface SelectQuery {
  toSQL(): { sql: string; params: unknown[] };
  _: { selectedFields: Record<string, unknown> };
}

// drizzle keeps an expression's `.mapWith()` decoder on `decoder`, outside its public types.
const decoderOf = (expression: SQL) => (expression as unknown as { decoder: DriverValueDecoder<unknown, unknown> }).decoder;

/** The selection's fields in drizzle's order (Object.entries, depth first), which is the order of the SQL select list. */
function leavesOf(fields: Record<string, unknown>, prefix: string[] = []): Leaf[] {
  return Object.entries(fields).flatMap(([name, field]): Leaf[] => {
    const path = [...prefix, name];
    if (is(field, Column)) return [{ path, decode: (v) => field.mapFromDriverValue(v) }];
    if (is(field, SQL)) return [{ path, decode: (v) => decoderOf(field).mapFromDriverValue(v) }];
    if (is(field, SQL.Aliased)) return [{ path, decode: (v) => decoderOf(field.sql).mapFromDriverValue(v) }];
    return leavesOf(field as Record<string, unknown>, path);
  });
}

function compile(query: SelectQuery): Compiled {
  const { sql: text, params } = query.toSQL();
  const parts = text.split("?");
  // The catalog's SQL has no literal "?"; a statement that did could not be split this way.
  if (parts.length !== params.length + 1) throw new Error("compiledSelect: the SQL text contains a literal '?'");
  return { parts, params, leaves: leavesOf(query._.selectedFields) };
}

function toRow(leaves: Leaf[], values: unknown[]) {
  const row: Record<string, unknown> = {};
  leaves.forEach(({ path, decode }, i) => {
    let node = row;
    for (const key of path.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    const value = values[i];
    node[path[path.length - 1]] = value === null ? null : decode(value);
  });
  return row;
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
  const { leaves } = query;
  return rows.map((values) => toRow(leaves, values) as Row);
}
