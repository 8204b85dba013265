import { ctxOf } from "../../context";
import { currentUser } from "../../lib/auth";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import { confirmOrder, openDispute, resolveDispute } from "./disputes.service";
import { listPayouts, workerEarnings } from "./earnings.service";
import { completeSandboxOnboarding, createPayoutAccount, getPayoutAccount } from "./payout-accounts.service";
import {
  confirmOrderRoute,
  createPayoutAccountRoute,
  disputeOrderRoute,
  earningsRoute,
  getPayoutAccountRoute,
  listPayoutsRoute,
  resolveDisputeRoute,
  sandboxOnboardRoute,
} from "./payouts.routes";

export const payoutsRouter = createRouter()
  .openapi(createPayoutAccountRoute, async (c) => c.json(await createPayoutAccount(ctxOf(c), currentUser(c), new URL(c.req.url).origin), 201))
  .openapi(getPayoutAccountRoute, async (c) => c.json(await getPayoutAccount(ctxOf(c), currentUser(c)), 200))
  .openapi(sandboxOnboardRoute, async (c) => c.json(await completeSandboxOnboarding(ctxOf(c), c.req.valid("param").account_id), 200))
  .openapi(earningsRoute, async (c) => c.json(await workerEarnings(ctxOf(c), currentUser(c)), 200))
  .openapi(listPayoutsRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listPayouts(ctxOf(c), currentUser(c), c.req.url, pageRequest(query), query.status), 200);
  })
  .openapi(confirmOrderRoute, async (c) => c.json(await confirmOrder(ctxOf(c), currentUser(c), c.req.valid("param").id), 200))
  .openapi(disputeOrderRoute, async (c) =>
    c.json(await openDispute(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json")), 201),
  )
  .openapi(resolveDisputeRoute, async (c) =>
    c.json(await resolveDispute(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );
