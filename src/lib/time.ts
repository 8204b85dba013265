/** Stored timestamps are integer milliseconds (Drizzle `timestamp_ms`); the wire format is ISO-8601 UTC. */
export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);
