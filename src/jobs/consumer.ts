import { z } from "@hono/zod-openapi";
import { createDb } from "../db/client";
import { createContext, type AppContext } from "../context";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { logEvent } from "../lib/log";
import { consumeDeadLetters, jobTypeOf, recordFailedJob } from "./dead-letter";
import { jobMessageSchema } from "./messages";
import { MAX_DELIVERIES, backoffSeconds } from "./retry-policy";
import { runJob } from "./message-handlers";

const DEAD_LETTER_QUEUE = "marketplace-jobs-dlq";

/** The Worker's queue() handler: one consumer for the jobs queue, one for its dead letters. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Bindings, execution: ExecutionContext): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE) return consumeDeadLetters(batch, env);
  const db = createDb(env);
  const waitUntil = (promise: Promise<unknown>) => execution.waitUntil(promise);
  await Promise.all(batch.messages.map((message) => processMessage(message, env, db, waitUntil)));
}

/**
 * Each message is settled on its own: acked on success, retried with backoff on failure, and
 * recorded in failed_jobs (then acked) when it is malformed (at once) or fails its last delivery.
 * Nothing thrown here can fail the rest of the batch.
 */
async function processMessage(message: Message<unknown>, env: Bindings, db: Db, waitUntil: (promise: Promise<unknown>) => void): Promise<void> {
  // One context per message: its id is the request id of everything the job logs.
  const ctx = createContext(env, db, message.id, waitUntil);
  const parsed = jobMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    return deadLetter(message, ctx, `Malformed message: ${z.prettifyError(parsed.error)}`);
  }
  const job = parsed.data;
  const started = Date.now();
  try {
    const result = await runJob(job, ctx);
    message.ack();
    logEvent("job_done", { message_id: message.id, job_type: job.type, attempts: message.attempts, duration_ms: Date.now() - started, result });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (message.attempts >= MAX_DELIVERIES) return deadLetter(message, ctx, detail);
    const delaySeconds = backoffSeconds(message.attempts);
    message.retry({ delaySeconds });
    logEvent("job_retry", { message_id: message.id, job_type: job.type, attempts: message.attempts, delay_seconds: delaySeconds, error: detail });
  }
}

async function deadLetter(message: Message<unknown>, ctx: AppContext, error: string): Promise<void> {
  try {
    await recordFailedJob(ctx.db, { messageId: message.id, body: message.body, error, attempts: message.attempts });
    message.ack();
    logEvent("job_dead_lettered", { message_id: message.id, job_type: jobTypeOf(message.body), attempts: message.attempts, error });
  } catch (recordError) {
    // Could not record it: let the queue deliver it again (and, after the last attempt, to the DLQ).
    message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    logEvent("dead_letter_record_failed", { message_id: message.id, error: String(recordError) });
  }
}
