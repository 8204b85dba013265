import { describe, expect, it } from "vitest";
import { maskContacts } from "../../src/modules/messages/contact-masking";

describe("maskContacts", () => {
  it.each([
    ["write to ada@example.com", "write to [email hidden]"],
    ["ada (at) example (dot) com works too", "[email hidden] works too"],
    ["ADA.L+jobs@mail.example.co.uk!", "[email hidden]!"],
    ["call +44 20 7946 0958", "call [phone hidden]"],
    ["(555) 123-4567 or 555.123.4567", "[phone hidden] or [phone hidden]"],
    ["0612345678", "[phone hidden]"],
  ])("hides %j", (text, masked) => {
    expect(maskContacts(text)).toBe(masked);
  });

  it.each([
    "Order #123456 costs $1500.00, see you at 10:30.",
    "On 2026-12-24 or 24/12/2026, bring 2 boxes.",
    "I am at home. Meet at the gate.",
  ])("leaves %j alone", (text) => {
    expect(maskContacts(text)).toBe(text);
  });
});
