/** Deliveries of a jobs-queue message: the first plus wrangler.toml's `max_retries = 5`. */
export const MAX_DELIVERIES = 6;

const BASE_DELAY_SECONDS = 10;
const MAX_DELAY_SECONDS = 15 * 60;

/** Exponential backoff before the next delivery: 10 s, 20 s, 40 s, … capped at 15 minutes. */
export const backoffSeconds = (attempts: number) =>
  Math.min(BASE_DELAY_SECONDS * 2 ** Math.max(0, attempts - 1), MAX_DELAY_SECONDS);
