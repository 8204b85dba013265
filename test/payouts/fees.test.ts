import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { escrows } from "../../drizzle/schema";
import { feeSql } from "../../src/modules/payouts/escrow-db";
import { openEscrowStatement, platformFeeOf } from "../../src/modules/payouts/escrow-terms";
import { createOrder, db } from "../helpers/factories";

describe("platform fee", () => {
  it("is the percentage rounded half up plus the fixed part, never more than the amount", () => {
    expect(platformFeeOf(5000, 1000, 0)).toBe(500);
    expect(platformFeeOf(1234, 1250, 0)).toBe(154); // 154.25
    expect(platformFeeOf(1236, 1250, 0)).toBe(155); // 154.5 → 155
    expect(platformFeeOf(5000, 1000, 30)).toBe(530);
    expect(platformFeeOf(20, 1000, 30)).toBe(20);
    expect(platformFeeOf(5000, 0, 0)).toBe(0);
  });

  it("the SQL the refund trigger and a failed release use computes the same fee as the app", async () => {
    const order = await createOrder();
    await db().batch([
      openEscrowStatement(db(), { platformFeeBasisPoints: 1250, platformFeeFixedCents: 30, escrowReleaseHours: 72 }, { id: "p", orderId: order.id, amountCents: 5000, currency: "USD" }),
    ]);
    for (const kept of [0, 1, 20, 999, 1234, 1236, 5000, 99_999_999]) {
      const [row] = await db().select({ fee: feeSql(sql`CAST(${kept} AS INTEGER)`) }).from(escrows).where(eq(escrows.orderId, order.id));
      expect([kept, row.fee]).toEqual([kept, platformFeeOf(kept, 1250, 30)]);
    }
    const [escrow] = await db().select().from(escrows).where(eq(escrows.orderId, order.id));
    expect(escrow).toMatchObject({ platformFeeCents: 655, workerAmountCents: 4345, feeBasisPoints: 1250, feeFixedCents: 30, releaseHours: 72 });
  });
});
