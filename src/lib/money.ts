import { z } from "@hono/zod-openapi";

const MAX_CENTS = 100_000_000; // 1,000,000.00

/** Integer cents → "500.00". */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** "500", "500.5", "500.50" or 500.5 → cents; null if it is not a plain decimal with ≤ 2 places. */
function parseCents(value: string | number): number | null {
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim();
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** Input schema for a price/amount: a positive decimal (string or number) up to 1,000,000.00, as cents. */
export const moneyInput = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const cents = parseCents(value);
    if (cents === null) {
      ctx.addIssue({ code: "custom", message: "Enter a valid amount with at most 2 decimal places." });
      return z.NEVER;
    }
    if (cents <= 0) {
      ctx.addIssue({ code: "custom", message: "Ensure this value is greater than 0." });
      return z.NEVER;
    }
    if (cents > MAX_CENTS) {
      ctx.addIssue({ code: "custom", message: "Ensure this value is less than or equal to 1000000.00." });
      return z.NEVER;
    }
    return cents;
  })
  .openapi({
    anyOf: [
      { type: "string", pattern: "^\\s*\\d{1,9}(\\.\\d{1,2})?\\s*$", example: "500.00" },
      { type: "number", exclusiveMinimum: 0, maximum: MAX_CENTS / 100 },
    ],
    description: "Decimal amount with at most 2 places, greater than 0 and at most 1000000.00",
  });

export const moneyOutput = z.string().openapi({ example: "500.00" });
