import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

describe("payments in /api/schema/", () => {
  it("documents every payments route, the Idempotency-Key header and the Payment schema", async () => {
    const { body } = await call("GET", "/api/schema/");
    const ops = Object.values(body.paths).flatMap(
      (path) => Object.values(path),
    );
    const ids = ops.map((op) => op.operationId);
    for (const id of ["payments_list", "payments_retrieve", "payments_pay", "payments_refund", "payments_stripe_webhook"]) expect(ids).toContain(id);
    const payOp = ops.find((op) => op.operationId === "payments_pay")!;
    expect(payOp.parameters).toContainEqual(expect.objectContaining({ name: "idempotency-key", in: "header" }));
    expect(Object.keys(body.components.schemas.Payment.properties ?? {})).not.toContain("card_number");
  });
});
