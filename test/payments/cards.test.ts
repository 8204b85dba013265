import { describe, expect, it } from "vitest";
import { cardBrand, digitsOnly, isExpired, last4, parseExpiry, passesLuhn } from "../../src/modules/payments/gateways/cards";
import { CARDS } from "./helpers";

describe("card checks", () => {
  it("accepts Stripe's test numbers and rejects a changed digit", () => {
    for (const number of Object.values(CARDS)) expect(passesLuhn(number), number).toBe(true);
    expect(passesLuhn("4242424242424241")).toBe(false);
    expect(passesLuhn("42424242")).toBe(false);
    expect(passesLuhn(digitsOnly("4242 4242-4242 4242"))).toBe(true);
  });

  it("parses MM/YY and treats a card as valid through its expiry month", () => {
    expect(parseExpiry("07/31")).toEqual({ month: 7, year: 2031 });
    expect(parseExpiry("7/31")).toBeNull();
    expect(parseExpiry("00/31")).toBeNull();
    const july31 = { month: 7, year: 2031 };
    expect(isExpired(july31, new Date("2031-07-31T23:59:59Z"))).toBe(false);
    expect(isExpired(july31, new Date("2031-08-01T00:00:00Z"))).toBe(true);
  });

  it("names the brand and keeps only the last four digits", () => {
    expect(cardBrand("4242424242424242")).toBe("visa");
    expect(cardBrand("5555555555554444")).toBe("mastercard");
    expect(cardBrand("2223003122003222")).toBe("mastercard");
    expect(cardBrand("378282246310005")).toBe("amex");
    expect(cardBrand("6011111111111117")).toBe("discover");
    expect(cardBrand("3056930009020004")).toBe("unknown");
    expect(last4("4242424242424242")).toBe("4242");
  });
});
