import { ctxOf } from "../../context";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import { listReportsRoute } from "./reports.routes";
import { listPaymentReports } from "./reports.service";

export const reportsRouter = createRouter().openapi(listReportsRoute, async (c) => {
  const query = c.req.valid("query");
  return c.json(await listPaymentReports(ctxOf(c), c.req.url, pageRequest(query), query.date), 200);
});
