import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createUser, unique } from "../helpers/factories";
import { eventually } from "../helpers/eventually";
import { connect } from "../helpers/realtime";
import { completedOrder, orderReviews, review } from "./helpers";

const inboxText = async (token: string) => JSON.stringify((await call("GET", "/api/notifications/?page_size=100", { token })).body);

describe("a review's content reaches no one it should not", () => {
  it("pending: the subject's inbox and socket say a review exists, never what it says", async () => {
    const { order, client, worker } = await completedOrder();
    const secret = unique("pending-secret");
    const socket = await connect(worker.token);
    await review(client.token, order.id, { rating: 1, comment: secret });
    const push = await socket.next();
    expect(push).toMatchObject({ type: "review_notification", notification_type: "review_received", order_id: order.id });
    expect(JSON.stringify(push)).not.toContain(secret);
    expect(JSON.stringify(push)).not.toMatch(/"rating"/);
    socket.close();
    expect(await inboxText(worker.token)).not.toContain(secret);
    expect(JSON.stringify((await orderReviews(worker.token, order.id)).body)).not.toContain(secret);
    expect(JSON.stringify((await call("GET", `/api/workers/${worker.profileId}/reviews/`)).body)).not.toContain(secret);
  });

  it("hidden: gone from the API, the inbox, the socket and the edge cache", async () => {
    const { order, client, worker } = await completedOrder();
    const secret = unique("hidden-secret");
    const mine = await review(client.token, order.id, { rating: 1, comment: secret });
    const socket = await connect(worker.token);
    await review(worker.token, order.id, { rating: 4 });

    // Published: anonymous reads of the worker's reviews are cached at the edge with it.
    const list = `/api/workers/${worker.profileId}/reviews/`;
    const profile = `/api/workers/${worker.profileId}/`;
    expect(JSON.stringify((await call("GET", list)).body)).toContain(secret);
    const hit = await call("GET", list);
    expect(hit.headers.get("X-Cache")).toBe("HIT");
    expect((await call("GET", profile)).body.rating).toBe("1.00");

    const admin = await createUser("admin");
    expect((await call("POST", `/api/reviews/${mine.body.id}/hide/`, { token: admin.token, body: { reason: "Off-topic" } })).status).toBe(200);

    // Edge cache: the hide purged this data center, so the next anonymous reads come from D1.
    const after = await call("GET", list);
    expect(after.headers.get("X-Cache")).toBe("MISS");
    expect(JSON.stringify(after.body)).not.toContain(secret);
    expect((await call("GET", profile)).body).toMatchObject({ rating: "0.00", reviews_count: 0 });
    // API: neither the subject nor a stranger sees it.
    expect(JSON.stringify((await orderReviews(worker.token, order.id)).body)).not.toContain(secret);
    expect(JSON.stringify((await call("GET", list, { token: worker.token })).body)).not.toContain(secret);
    // Inbox and socket: the subject was told of the publication, never of the content.
    const pushes = await eventually(async () => {
      const received = await socket.drain();
      expect(received.some((m) => m.notification_type === "review_published")).toBe(true);
      return received;
    });
    expect(JSON.stringify(pushes)).not.toContain(secret);
    socket.close();
    for (const user of [worker, client]) expect(await inboxText(user.token)).not.toContain(secret);
  });
});
