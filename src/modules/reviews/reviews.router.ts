import { ctxOf } from "../../context";
import { currentUser } from "../../lib/auth";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import { createReviewRoute, hideReviewRoute, listOrderReviewsRoute, listWorkerReviewsRoute } from "./reviews.routes";
import { hideReview, listOrderReviews, listWorkerReviews, submitReview } from "./reviews.service";

export const reviewsRouter = createRouter()
  .openapi(createReviewRoute, async (c) =>
    c.json(await submitReview(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json")), 201),
  )
  .openapi(listOrderReviewsRoute, async (c) =>
    c.json(await listOrderReviews(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.url, pageRequest(c.req.valid("query"))), 200),
  )
  .openapi(listWorkerReviewsRoute, async (c) =>
    c.json(await listWorkerReviews(ctxOf(c), c.req.valid("param").id, c.req.url, pageRequest(c.req.valid("query"))), 200),
  )
  .openapi(hideReviewRoute, async (c) =>
    c.json(await hideReview(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );
