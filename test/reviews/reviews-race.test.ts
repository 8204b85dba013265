import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { orders, reviews } from "../../drizzle/schema";
import { publishDueReviews } from "../../src/modules/reviews/review-publication";
import { testContext } from "../helpers/context";
import { call } from "../helpers/http";
import { db } from "../helpers/factories";
import { completedOrder, orderReviews, review, reviewInbox } from "./helpers";

const ctx = testContext();
const DAY_MS = 86_400_000;

describe("reviews under concurrency", () => {
  it("both parties reviewing at once publish both reviews exactly once", async () => {
    for (let round = 0; round < 5; round++) {
      const { order, client, worker } = await completedOrder();
      const [a, b] = await Promise.all([review(client.token, order.id, { rating: 5 }), review(worker.token, order.id, { rating: 2 })]);
      expect([a.status, b.status]).toEqual([201, 201]);
      const rows = await db().select().from(reviews).where(eq(reviews.orderId, order.id));
      expect(rows.map((r) => r.publishedAt !== null)).toEqual([true, true]);
      expect(new Set(rows.map((r) => r.publishBatch)).size).toBe(1); // one write published both
      for (const user of [client, worker]) expect(await reviewInbox(user.id, order.id, "review_published")).toHaveLength(1);
      expect((await call("GET", `/api/workers/${worker.profileId}/`)).body).toMatchObject({ rating: "5.00", reviews_count: 1 });
    }
  });

  it("a review racing its window's close is accepted and published, or refused; never left unpublished", async () => {
    for (let round = 0; round < 4; round++) {
      const { order, client, worker } = await completedOrder();
      await review(client.token, order.id, { rating: 4 });
      // The window closes about now: move the completion (and the first review's due time) to its edge.
      const completedAt = Date.now() - 14 * DAY_MS + round * 40;
      await db().update(orders).set({ completedAt: new Date(completedAt) }).where(eq(orders.id, order.id));
      await db().update(reviews).set({ publishDueAt: new Date(completedAt + 14 * DAY_MS) }).where(eq(reviews.orderId, order.id));
      const [late] = await Promise.all([review(worker.token, order.id, { rating: 3 }), publishDueReviews(ctx, new Date())]);
      expect([201, 409]).toContain(late.status);
      if (late.status === 409) expect(late.body.code).toBe("review_window_closed");
      await publishDueReviews(ctx, new Date(Date.now() + 1000)); // the next run of the job
      const listed = (await orderReviews(client.token, order.id)).body.results;
      expect(listed).toHaveLength(late.status === 201 ? 2 : 1);
      expect(listed.every((r: { status: string }) => r.status === "published")).toBe(true);
      for (const user of [client, worker]) expect((await reviewInbox(user.id, order.id, "review_published")).length).toBeGreaterThanOrEqual(1);
    }
  });
});
