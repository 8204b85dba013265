/** Rows changed by a write, whichever driver ran it (D1: meta.changes, libSQL: rowsAffected). */
export function rowsAffected(result: unknown): number {
  const r = result as { meta?: { changes?: number }; rowsAffected?: number };
  return r?.meta?.changes ?? r?.rowsAffected ?? 0;
}

/** True when the error (or any cause in its chain) is a SQLite UNIQUE constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (/UNIQUE constraint failed/i.test(String((e as { message?: string }).message ?? e))) return true;
  }
  return false;
}
