/** One JSON line per event; Workers Logs indexes the fields. Never pass secrets, tokens or card data. */
export function logEvent(event: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ event, time: new Date().toISOString(), ...fields }));
}
