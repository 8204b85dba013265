import { eq } from "drizzle-orm";
import { payments } from "../../drizzle/schema";
import type { Gateways, PaymentGateway } from "../../src/modules/payments/gateways/gateway";
import { testContext } from "../helpers/context";
import { createOrder, createUser, db, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";

export const CARDS = {
  success: "4242424242424242",
  declined: "4000000000000002",
  insufficientFunds: "4000000000009995",
  processingError: "4000000000000119",
  refundFails: "4000000000005126",
  otherValid: "5555555555554444",
} as const;

/** A valid pay body for `cardNumber`, expiring in the future. */
export const cardBody = (cardNumber: string = CARDS.success, overrides: Record<string, unknown> = {}) => ({
  payment_method: "card",
  card_number: cardNumber,
  card_expiry: `12/${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, "0")}`,
  card_cvv: "123",
  card_holder_name: "Ada Lovelace",
  ...overrides,
});

export const pay = (token: string, orderId: number, body: unknown = cardBody(), headers: Record<string, string> = {}) =>
  call("POST", `/api/payments/order/${orderId}/pay/`, { token, body, headers });

/** A pending order of a fresh client, priced 50.00. */
export async function pendingOrder(client?: TestUser) {
  return createOrder({ client: client ?? (await createUser("client")) });
}

export async function paymentRow(id: string) {
  const [row] = await db().select().from(payments).where(eq(payments.id, id));
  return row;
}

export const paymentsOfOrder = (orderId: number) => db().select().from(payments).where(eq(payments.orderId, orderId));

/** Fixed gateways looked up by name, for calling services directly with a given gateway. */
export function gatewaysOf(current: PaymentGateway, ...others: PaymentGateway[]): Gateways {
  const all = [current, ...others];
  return {
    current,
    byName: (name) => {
      const gateway = all.find((g) => g.name === name);
      if (!gateway) throw new Error(`No ${name} gateway in this test`);
      return gateway;
    },
  };
}

/** A context for calling payment services directly (as the jobs do); pushes are awaited with `settled()`. */
export const testDeps = (gateways: Gateways) => testContext({ gateways });
