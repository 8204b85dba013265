/** One JSON line per event; Workers Logs indexes the fields. Never pass secrets, tokens or card data. */
export function logEvent(event: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ event, time: new Date().toISOString(), ...fields }));
}

/**
 * The per-request line, kept small because every request pays for it: no `time` (Workers Logs
 * stamps each line with its timestamp, and `duration_ms` is measured here), fields in a fixed order.
 */
export function logRequest(fields: {
  request_id: string;
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  user_id?: number;
  db_queries: number;
}): void {
  console.log(JSON.stringify({ event: "request", ...fields }));
}
