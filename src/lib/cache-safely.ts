import { logEvent } from "./log";

/**
 * Runs a Cache API call whose failure must only cost what the cache would have saved: logs it as
 * `event` and answers undefined (a miss), so correctness never depends on the cache.
 */
export async function cacheSafely<T>(event: string, operation: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    logEvent(event, { operation, error: String(error) });
    return undefined;
  }
}
