import { createRoute } from "@hono/zod-openapi";
import { authenticated } from "../../lib/auth";
import { bearerSecurity, errorResponses, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { paymentReportSchema, reportsQuery } from "./reports.schemas";

export const listReportsRoute = createRoute({
  method: "get",
  path: "/api/reports/payments/",
  operationId: "reports_payments_list",
  tags: ["reports"],
  summary: "Daily payment reports (built by the daily-report job), newest first",
  description: "Admins only. One row per UTC day, written by the `daily-report` job.",
  security: bearerSecurity,
  middleware: [authenticated("admin")] as const,
  request: { query: reportsQuery },
  responses: {
    200: jsonResponse(pageSchema(paymentReportSchema, "PaymentReportPage"), "A page of reports"),
    ...errorResponses(400, 401, 403, 404),
  },
});
