import type { Config } from "../../../env";
import type { Gateways, PaymentGateway } from "./gateway";
import { SandboxGateway } from "./sandbox-gateway";
import { StripeGateway } from "./stripe-gateway";

/**
 * `PAYMENT_GATEWAY` picks the gateway for new payments; a refund or retry goes back through the
 * gateway that took the payment. Stripe is built only when used, from the validated config.
 */
export function createGateways(config: Pick<Config, "paymentGateway" | "stripe">): Gateways {
  let stripe: StripeGateway | undefined;
  const byName = (name: string): PaymentGateway => {
    if (name === "sandbox") return new SandboxGateway();
    if (name === "stripe") {
      if (!config.stripe) throw new Error("Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).");
      stripe ??= new StripeGateway(config.stripe);
      return stripe;
    }
    throw new Error(`Unknown payment gateway "${name}".`);
  };
  return { current: byName(config.paymentGateway), byName };
}

