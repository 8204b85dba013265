import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { failedJobs, paymentReports } from "../../drizzle/schema";
import { MAX_DELIVERIES } from "../../src/jobs/retry-policy";
import { createOrder, db } from "../helpers/factories";
import { envWithBrokenObjects, pushMessage, queueMessage, recordEvent, runQueue } from "../helpers/realtime";

const failedJob = async (messageId: string) => db().select().from(failedJobs).where(eq(failedJobs.messageId, messageId));


async function undeliverablePush(attempts: number) {
  const order = await createOrder();
  return pushMessage(await recordEvent({ kind: "order_created", orderId: order.id }), attempts);
}

describe("jobs queue consumer", () => {
  it("dead-letters malformed and unknown messages at once, without retrying them", async () => {
    const unknownType = queueMessage({ type: "emails.send", to: "x" });
    const missingField = queueMessage({ type: "notifications.push" });
    const notAnObject = queueMessage("garbage");
    const result = await runQueue([unknownType, missingField, notAnObject]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks.sort()).toEqual([unknownType.id, missingField.id, notAnObject.id].sort());

    const [unknownRow] = await failedJob(unknownType.id);
    expect(unknownRow).toMatchObject({ jobType: "emails.send", payload: '{"type":"emails.send","to":"x"}', attempts: 1 });
    expect(unknownRow.error).toMatch(/^Malformed message/);
    expect((await failedJob(missingField.id))[0]).toMatchObject({ jobType: "notifications.push" });
    expect((await failedJob(notAnObject.id))[0]).toMatchObject({ jobType: "unknown", payload: '"garbage"' });
  });

  it("settles each message on its own: a failing one is retried while the others are acked", async () => {
    const failing = await undeliverablePush(1);
    const empty = pushMessage(crypto.randomUUID());
    const malformed = queueMessage({});
    const result = await runQueue([failing, empty, malformed], { env: envWithBrokenObjects() });
    expect(result.ackAll).toBe(false);
    expect(result.retryMessages).toEqual([{ msgId: failing.id }]);
    expect(result.explicitAcks.sort()).toEqual([empty.id, malformed.id].sort());
  });

  it("backs off exponentially between attempts", async () => {
    const delays: (number | undefined)[] = [];
    for (let attempts = 1; attempts < MAX_DELIVERIES; attempts++) {
      const message = await undeliverablePush(attempts);
      const result = await runQueue([message], { env: envWithBrokenObjects() });
      expect(result.retryMessages).toEqual([{ msgId: message.id }]);
      expect(await failedJob(message.id)).toEqual([]);
      delays.push(result.delays[message.id]);
    }
    expect(delays).toEqual([10, 20, 40, 80, 160]);
  });

  it("records a message whose handler always throws in failed_jobs on its last attempt, once", async () => {
    const message = await undeliverablePush(MAX_DELIVERIES);
    const result = await runQueue([message], { env: envWithBrokenObjects() });
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toEqual([message.id]);
    const [row] = await failedJob(message.id);
    expect(row).toMatchObject({ jobType: "notifications.push", attempts: MAX_DELIVERIES, payload: JSON.stringify(message.body) });
    expect(row.error).toContain("Durable Object unavailable");

    // Delivered again (at-least-once): still one record.
    await runQueue([message], { env: envWithBrokenObjects() });
    expect(await failedJob(message.id)).toHaveLength(1);
  });

  it("acks a message whose retry succeeds, without a dead letter", async () => {
    const first = await undeliverablePush(1);
    expect((await runQueue([first], { env: envWithBrokenObjects() })).retryMessages).toEqual([{ msgId: first.id }]);
    const retried = await runQueue([{ ...first, attempts: 2 }]);
    expect(retried.explicitAcks).toEqual([first.id]);
    expect(await failedJob(first.id)).toEqual([]);
  });

  it("runs scheduled jobs from their job.run message (daily-report reports the day before it was requested)", async () => {
    const requestedAt = Date.parse("2026-05-02T02:00:00Z");
    const message = queueMessage({ type: "job.run", name: "daily-report", requestedAt });
    const result = await runQueue([message]);
    expect(result.explicitAcks).toEqual([message.id]);
    const reports = await db().select().from(paymentReports).where(eq(paymentReports.reportDate, "2026-05-01"));
    expect(reports).toHaveLength(1);
  });

  it("dead-letters a job.run for an unknown job name as malformed", async () => {
    const message = queueMessage({ type: "job.run", name: "rm-rf", requestedAt: Date.now() });
    expect((await runQueue([message])).explicitAcks).toEqual([message.id]);
    expect((await failedJob(message.id))[0].error).toMatch(/^Malformed message/);
  });
});

describe("dead-letter queue consumer", () => {
  it("stores each message from marketplace-jobs-dlq in failed_jobs, idempotently by message id", async () => {
    const message = queueMessage({ type: "notifications.push", eventId: "e-1" });
    const odd = queueMessage(42);
    const result = await runQueue([message, odd], { queue: "marketplace-jobs-dlq" });
    expect(result.explicitAcks.sort()).toEqual([message.id, odd.id].sort());
    const [row] = await failedJob(message.id);
    expect(row).toMatchObject({ jobType: "notifications.push", payload: JSON.stringify(message.body), attempts: MAX_DELIVERIES });
    expect(row.error).toMatch(/exhausted/);
    expect((await failedJob(odd.id))[0]).toMatchObject({ jobType: "unknown", payload: "42" });

    await runQueue([message], { queue: "marketplace-jobs-dlq" });
    expect(await failedJob(message.id)).toHaveLength(1);
  });

  it("keeps the jobs consumer's own record (with its error) when the platform also dead-letters the message", async () => {
    const message = await undeliverablePush(MAX_DELIVERIES);
    await runQueue([message], { env: envWithBrokenObjects() });
    await runQueue([message], { queue: "marketplace-jobs-dlq" });
    const rows = await failedJob(message.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].error).toContain("Durable Object unavailable");
  });
});
