/** Rows changed by a write, whichever driver ran it (D1: meta.changes, libSQL: rowsAffected). */
export function rowsAffected(result: unknown): number {
  const r = result as { meta?: { changes?: number }; rowsAffected?: number };
  return r?.meta?.changes ?? r?.rowsAffected ?? 0;
}

/** The messages of an error and its causes (drivers and Drizzle wrap the SQLite error). */
export function errorChainText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(String((e as { message?: string }).message ?? e));
  }
  return parts.join(" | ");
}

/** SQLite's constraint errors, recognised in one place; modules map them to their domain errors. */
export const isUniqueViolation = (error: unknown) => /UNIQUE constraint failed/i.test(errorChainText(error));
export const isForeignKeyViolation = (error: unknown) => /FOREIGN KEY constraint failed/i.test(errorChainText(error));
/** `column` as SQLite names it: `table.column`. */
export const isNotNullViolation = (error: unknown, column: string) => errorChainText(error).includes(`NOT NULL constraint failed: ${column}`);
