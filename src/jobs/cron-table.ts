/** The scheduled jobs and the Cron Triggers (wrangler.toml `[triggers]`) that start them. */
export const JOB_NAMES = [
  "token-cleanup",
  "auto-assign",
  "payment-retry",
  "daily-report",
  "order-cleanup",
  "review-publish",
  "escrow-release",
] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** A trigger may start several jobs; each is its own queue message (own retries, own dead letter). */
export const CRON_JOBS: Record<string, readonly JobName[]> = {
  "* * * * *": ["review-publish", "escrow-release"],
  "0 * * * *": ["token-cleanup"],
  "*/5 * * * *": ["auto-assign"],
  "*/30 * * * *": ["payment-retry"],
  "0 2 * * *": ["daily-report"],
  "0 3 * * 0": ["order-cleanup"],
};
