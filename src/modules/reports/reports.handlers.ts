import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { bearerSecurity, createRouter, errorResponses, jsonResponse } from "../../lib/openapi";
import { pageRequest, pageSchema } from "../../lib/pagination";
import { paymentReportSchema, reportsQuery } from "./reports.schemas";
import { listPaymentReports } from "./reports.service";

const listReportsRoute = createRoute({
  method: "get",
  path: "/api/reports/payments/",
  operationId: "reports_payments_list",
  tags: ["reports"],
  summary: "Daily payment reports (built by the daily-report job), newest first",
  security: bearerSecurity,
  middleware: [authenticated("admin")] as const,
  request: { query: reportsQuery },
  responses: {
    200: jsonResponse(pageSchema(paymentReportSchema, "PaymentReportPage"), "A page of reports"),
    ...errorResponses(400, 401, 403, 404),
  },
});

export const reportsRouter = createRouter().openapi(listReportsRoute, async (c) => {
  const query = c.req.valid("query");
  return c.json(await listPaymentReports(c.get("db"), c.req.url, pageRequest(query), query.date), 200);
});
