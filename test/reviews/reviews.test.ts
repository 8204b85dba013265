import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { orders } from "../../drizzle/schema";
import { eventually } from "../helpers/eventually";
import { publishDueReviews } from "../../src/modules/reviews/review-publication";
import { testContext } from "../helpers/context";
import { call } from "../helpers/http";
import { createOrder, createService, createUser, db } from "../helpers/factories";
import { closeWindow, completedOrder, orderReviews, review, reviewInbox } from "./helpers";

const ctx = testContext();

describe("POST /api/orders/{id}/reviews/", () => {
  it("is double-blind: pending for the other party until both have reviewed, then both are published with the ratings", async () => {
    const { order, client, worker } = await completedOrder();
    const first = await review(client.token, order.id, { rating: 4, comment: "Tidy and on time" });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ order_id: order.id, author_role: "client", status: "pending", rating: 4, comment: "Tidy and on time", published_at: null });
    expect(first.body.author.id).toBe(client.id);
    expect(first.body.subject.id).toBe(worker.id);
    expect(first.body.author).not.toHaveProperty("email");

    // The worker sees that a review exists, not what it says; the public sees nothing; the rating is unchanged.
    const seenByWorker = await orderReviews(worker.token, order.id);
    expect(seenByWorker.body.results).toEqual([expect.objectContaining({ status: "pending", rating: null, comment: null, author_role: "client" })]);
    expect((await orderReviews(client.token, order.id)).body.results[0]).toMatchObject({ rating: 4, comment: "Tidy and on time" });
    expect((await call("GET", `/api/workers/${worker.profileId}/reviews/`)).body).toMatchObject({ count: 0, results: [] });
    expect((await call("GET", `/api/workers/${worker.profileId}/`)).body).toMatchObject({ rating: "0.00", reviews_count: 0 });
    const received = await reviewInbox(worker.id, order.id, "review_received");
    expect(received).toHaveLength(1);
    expect(received[0].message).not.toContain("Tidy");

    const second = await review(worker.token, order.id, { rating: 5 });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ author_role: "worker", status: "published", rating: 5, comment: "" });
    const both = (await orderReviews(worker.token, order.id)).body.results;
    expect(both.map((r) => [r.status, r.rating])).toEqual([["published", 4], ["published", 5]]);

    expect((await call("GET", `/api/workers/${worker.profileId}/`)).body).toMatchObject({ rating: "4.00", reviews_count: 1 });
    const publicList = await call("GET", `/api/workers/${worker.profileId}/reviews/`);
    expect(publicList.status).toBe(200);
    expect(publicList.body.results).toEqual([{ id: first.body.id, author: expect.objectContaining({ id: client.id }), rating: 4, comment: "Tidy and on time", published_at: expect.any(String) }]);
    expect(publicList.body.results[0].author).not.toHaveProperty("email");
    // The client's rating from the worker shows on the order.
    expect((await call("GET", `/api/orders/${order.id}/`, { token: worker.token })).body.client_rating).toEqual({ rating: "5.00", reviews_count: 1 });
    for (const user of [client, worker]) expect(await reviewInbox(user.id, order.id, "review_published")).toHaveLength(1);
    expect(await reviewInbox(client.id, order.id, "review_received")).toHaveLength(0); // published at once: nothing pending to announce
  });

  it("refuses orders that are not completed, closed windows and a second review, with their codes", async () => {
    const open = await completedOrder({ status: "in_progress" });
    expect((await review(open.client.token, open.order.id, { rating: 5 })).body.code).toBe("order_not_completed");
    const late = await completedOrder({ daysAgo: 15 });
    const closed = await review(late.worker.token, late.order.id, { rating: 3 });
    expect([closed.status, closed.body.code]).toEqual([409, "review_window_closed"]);
    const { order, client } = await completedOrder({ daysAgo: 13 });
    expect((await review(client.token, order.id, { rating: 5 })).status).toBe(201);
    const again = await review(client.token, order.id, { rating: 1, comment: "changed my mind" });
    expect([again.status, again.body.code]).toEqual([409, "already_reviewed"]);
    expect((await orderReviews(client.token, order.id)).body.results).toEqual([expect.objectContaining({ rating: 5 })]);
  });

  it("validates the body: rating 1..5 as an integer, comment up to 2000 characters, no other fields", async () => {
    const { order, client } = await completedOrder();
    for (const [body, field] of [
      [{}, "rating"],
      [{ rating: 0 }, "rating"],
      [{ rating: 6 }, "rating"],
      [{ rating: 4.5 }, "rating"],
      [{ rating: "5" }, "rating"],
      [{ rating: 5, comment: "x".repeat(2001) }, "comment"],
      [{ rating: 5, author_id: 1 }, "non_field_errors"],
    ] as const) {
      const res = await review(client.token, order.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toHaveProperty(field);
    }
    const noBody = await call("POST", `/api/orders/${order.id}/reviews/`, { token: client.token, body: "rating=5", headers: { "Content-Type": "text/plain" } });
    expect([400, 415]).toContain(noBody.status);
    expect((await orderReviews(client.token, order.id)).body.count).toBe(0);
  });

  it("is for the order's two parties only: anonymous 401, admins 403, anyone else 404", async () => {
    const { order } = await completedOrder();
    expect((await call("POST", `/api/orders/${order.id}/reviews/`, { body: { rating: 5 } })).status).toBe(401);
    expect((await review((await createUser("admin")).token, order.id, { rating: 5 })).status).toBe(403);
    expect((await review((await createUser("client")).token, order.id, { rating: 5 })).status).toBe(404);
    expect((await review((await createUser("worker")).token, order.id, { rating: 5 })).status).toBe(404);
    expect((await review((await createUser("client")).token, 999_999, { rating: 5 })).status).toBe(404);
  });
});

describe("client ratings", () => {
  it("a worker deciding whether to take a client's open order sees the client's rating; a hidden review leaves it", async () => {
    const { order, client, worker } = await completedOrder();
    await review(client.token, order.id, { rating: 5 });
    const workersReview = await review(worker.token, order.id, { rating: 2, comment: "Never home" });
    const service = await createService();
    const open = await createOrder({ client, service });
    const browsing = await createUser("worker"); // no specializations: qualified for any service
    const seen = async () => (await call("GET", `/api/orders/${open.id}/`, { token: browsing.token })).body;
    expect(await seen()).toMatchObject({ worker: null, address: null, client_rating: { rating: "2.00", reviews_count: 1 } });
    const admin = await createUser("admin");
    await call("POST", `/api/reviews/${workersReview.body.id}/hide/`, { token: admin.token, body: { reason: "Personal remarks" } });
    expect((await seen()).client_rating).toEqual({ rating: "0.00", reviews_count: 0 });
  });
});

describe("GET /api/orders/{id}/reviews/", () => {
  it("is for the parties and admins; others get 404, anonymous 401", async () => {
    const { order, client } = await completedOrder();
    await review(client.token, order.id, { rating: 2, comment: "Late" });
    const admin = await createUser("admin");
    expect((await orderReviews(admin.token, order.id)).body.results[0]).toMatchObject({ rating: 2, comment: "Late", status: "pending" });
    expect((await orderReviews(undefined, order.id)).status).toBe(401);
    expect((await orderReviews((await createUser("worker")).token, order.id)).status).toBe(404);
    expect((await orderReviews((await createUser("client")).token, order.id)).status).toBe(404);
  });
});

describe("GET /api/workers/{id}/reviews/", () => {
  it("is paginated, newest publication first, and 404s for unknown profiles or bad pages", async () => {
    const worker = await createUser("worker");
    for (const rating of [3, 5]) {
      const { order, client } = await completedOrder();
      // Two orders of the same worker.
      await db().update(orders).set({ workerId: worker.id }).where(eq(orders.id, order.id));
      await review(client.token, order.id, { rating });
      await review(worker.token, order.id, { rating: 4 });
    }
    const page = await call("GET", `/api/workers/${worker.profileId}/reviews/?page_size=1`);
    expect(page.body).toMatchObject({ count: 2, previous: null });
    expect(page.headers.get("X-DB-Queries")).toBe("1"); // the profile left-joined with the page, its total and authors
    expect(page.body.results.map((r: { rating: number }) => r.rating)).toEqual([5]);
    expect(page.body.next).toContain("page=2");
    expect((await call("GET", `/api/workers/${worker.profileId}/reviews/?page=3&page_size=1`)).status).toBe(404);
    expect((await call("GET", "/api/workers/999999/reviews/")).status).toBe(404);
    expect((await call("GET", "/api/workers/abc/reviews/")).status).toBe(400);
    expect((await call("GET", `/api/workers/${worker.profileId}/`)).body).toMatchObject({ rating: "4.00", reviews_count: 2 });
  });
});

describe("review-publish job", () => {
  it("publishes a lone review when its window closes, recomputes the rating, notifies both parties once", async () => {
    const { order, client, worker } = await completedOrder();
    await review(client.token, order.id, { rating: 3, comment: "Okay" });
    await publishDueReviews(ctx, new Date());
    expect((await orderReviews(worker.token, order.id)).body.results[0]).toMatchObject({ status: "pending", rating: null }); // not due yet
    await closeWindow(order.id);
    expect((await publishDueReviews(ctx, new Date())).published).toBeGreaterThanOrEqual(1);
    await publishDueReviews(ctx, new Date()); // a rerun publishes nothing twice
    expect((await orderReviews(worker.token, order.id)).body.results[0]).toMatchObject({ status: "published", rating: 3, comment: "Okay" });
    expect((await call("GET", `/api/workers/${worker.profileId}/`)).body).toMatchObject({ rating: "3.00", reviews_count: 1 });
    for (const user of [client, worker]) expect(await reviewInbox(user.id, order.id, "review_published")).toHaveLength(1);
  });

  it("runs from its cron through the admin job endpoint", async () => {
    const { order, client } = await completedOrder();
    await review(client.token, order.id, { rating: 5 });
    await closeWindow(order.id);
    const admin = await createUser("admin");
    expect((await call("POST", "/api/admin/jobs/review-publish/run/", { token: admin.token })).status).toBe(202);
    await eventually(async () => expect((await orderReviews(client.token, order.id)).body.results[0].status).toBe("published"));
  });
});

describe("POST /api/reviews/{id}/hide/", () => {
  it("hides a review with a reason: ratings recomputed, the author told, the subject and public no longer see it", async () => {
    const { order, client, worker } = await completedOrder();
    const mine = await review(client.token, order.id, { rating: 1, comment: "Rude words" });
    await review(worker.token, order.id, { rating: 5 });
    expect((await call("GET", `/api/workers/${worker.profileId}/`)).body).toMatchObject({ rating: "1.00", reviews_count: 1 });
    const admin = await createUser("admin");
    const hidden = await call("POST", `/api/reviews/${mine.body.id}/hide/`, { token: admin.token, body: { reason: "Abusive language" } });
    expect(hidden.status).toBe(200);
    expect(hidden.body).toMatchObject({ status: "hidden", hidden_reason: "Abusive language" });
    expect((await call("GET", `/api/workers/${worker.profileId}/`)).body).toMatchObject({ rating: "0.00", reviews_count: 0 });
    expect((await call("GET", `/api/workers/${worker.profileId}/reviews/`)).body.count).toBe(0);
    expect((await orderReviews(worker.token, order.id)).body.results.map((r: { author_role: string }) => r.author_role)).toEqual(["worker"]);
    expect((await orderReviews(client.token, order.id)).body.results[0]).toMatchObject({ status: "hidden", hidden_reason: "Abusive language" });
    const told = await reviewInbox(client.id, order.id, "review_hidden");
    expect(told).toHaveLength(1);
    expect(told[0].message).toContain("Abusive language");
    expect(await reviewInbox(worker.id, order.id, "review_hidden")).toHaveLength(0);

    const again = await call("POST", `/api/reviews/${mine.body.id}/hide/`, { token: admin.token, body: { reason: "Twice" } });
    expect([again.status, again.body.code]).toEqual([409, "conflict"]);
    expect(await reviewInbox(client.id, order.id, "review_hidden")).toHaveLength(1);
  });

  it("is for admins only and validates the reason", async () => {
    const { order, client, worker } = await completedOrder();
    const mine = await review(client.token, order.id, { rating: 4 });
    const path = `/api/reviews/${mine.body.id}/hide/`;
    expect((await call("POST", path, { body: { reason: "x" } })).status).toBe(401);
    for (const user of [client, worker]) expect((await call("POST", path, { token: user.token, body: { reason: "x" } })).status).toBe(403);
    const admin = await createUser("admin");
    expect((await call("POST", path, { token: admin.token, body: {} })).body).toHaveProperty("reason");
    expect((await call("POST", path, { token: admin.token, body: { reason: "   " } })).status).toBe(400);
    expect((await call("POST", "/api/reviews/999999/hide/", { token: admin.token, body: { reason: "x" } })).status).toBe(404);
    expect((await orderReviews(client.token, order.id)).body.results[0].status).toBe("pending");
  });
});
