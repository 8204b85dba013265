import { failedJobs } from "../../drizzle/schema";
import type { Db } from "../db/client";
import { createDb } from "../db/client";
import type { Bindings } from "../env";
import { logEvent } from "../lib/log";
import { MAX_DELIVERIES, backoffSeconds } from "./retry-policy";

const MAX_TEXT = 4000;
const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

function payloadText(body: unknown): string {
  try {
    return JSON.stringify(body) ?? String(body);
  } catch {
    return String(body);
  }
}

/** The message's declared type if it has one (malformed messages may not). */
export const jobTypeOf = (body: unknown): string => {
  const type = (body as { type?: unknown } | null)?.type;
  return typeof type === "string" ? clip(type) : "unknown";
};

export interface FailedJob {
  messageId: string;
  body: unknown;
  error: string;
  attempts: number;
}

/** Stores a dead letter; a re-delivered one (same message id) keeps its first record. */
export async function recordFailedJob(db: Db, job: FailedJob): Promise<void> {
  await db
    .insert(failedJobs)
    .values({
      messageId: job.messageId,
      jobType: jobTypeOf(job.body),
      payload: clip(payloadText(job.body)),
      error: clip(job.error),
      attempts: job.attempts,
    })
    .onConflictDoNothing({ target: failedJobs.messageId });
}

/**
 * Consumer of marketplace-jobs-dlq. The jobs consumer records its own last failures with their
 * error; this catches what the platform moved here without that (e.g. the consumer itself crashed
 * or timed out on the last delivery).
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const db = createDb(env);
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await recordFailedJob(db, {
          messageId: message.id,
          body: message.body,
          error: "Delivery attempts exhausted on the jobs queue.",
          attempts: MAX_DELIVERIES,
        });
        message.ack();
        logEvent("job_dead_lettered", { message_id: message.id, job_type: jobTypeOf(message.body), source: "dlq" });
      } catch (error) {
        message.retry({ delaySeconds: backoffSeconds(message.attempts) });
        logEvent("dead_letter_record_failed", { message_id: message.id, error: String(error) });
      }
    }),
  );
}
