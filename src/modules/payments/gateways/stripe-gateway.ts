import Stripe from "stripe";
import { GATEWAY_TIMEOUT_MS, type ChargeLookup, type ChargeRequest, type ChargeResult, type PaymentGateway, type RefundRequest, type RefundResult } from "./gateway";

export interface StripeGatewayConfig {
  secretKey: string;
  host?: string;
  port?: number;
  protocol?: "http" | "https";
}

type Failure = Extract<ChargeResult, { ok: false }>;

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === "string" ? value : (value?.id ?? null));

/**
 * Stripe PaymentIntents, created and confirmed server-side. The card becomes a PaymentMethod first,
 * so a retry charges that reference instead of card data. One PaymentIntent per payment row (its
 * idempotency key is the payment id) and retries confirm that same intent again, so Stripe itself
 * guarantees the payment succeeds at most once. Sending raw card numbers needs Stripe's raw card
 * data access on the account; a browser integration would send a PaymentMethod id instead.
 */
export class StripeGateway implements PaymentGateway {
  readonly name = "stripe" as const;
  private readonly stripe: Stripe;

  constructor(config: StripeGatewayConfig) {
    this.stripe = new Stripe(config.secretKey, {
      host: config.host,
      port: config.port,
      protocol: config.protocol,
      httpClient: Stripe.createFetchHttpClient(),
      // Transient failures are retried by the payment-retry job, not inside a request.
      maxNetworkRetries: 0,
      timeout: GATEWAY_TIMEOUT_MS,
    });
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    let reference: string | null = "reference" in request.source ? request.source.reference : null;
    try {
      if ("card" in request.source) {
        const { card } = request.source;
        // Keyed like the intent, so a rerun of the same payment sends the intent the same method and Stripe replays it.
        const method = await this.stripe.paymentMethods.create(
          {
            type: "card",
            card: { number: card.number, exp_month: card.expMonth, exp_year: card.expYear, cvc: card.cvc },
            billing_details: { name: card.holderName },
          },
          { idempotencyKey: `${request.paymentId}:method` },
        );
        reference = method.id;
      }
      const intent = request.transactionId
        ? await this.stripe.paymentIntents.confirm(
            request.transactionId,
            { payment_method: reference ?? undefined },
            { idempotencyKey: `${request.paymentId}:confirm:${request.attempt}` },
          )
        : await this.stripe.paymentIntents.create(
            {
              amount: request.amountCents,
              currency: request.currency.toLowerCase(),
              payment_method: reference ?? undefined,
              automatic_payment_methods: { enabled: true, allow_redirects: "never" },
              confirm: true,
              metadata: { payment_id: request.paymentId, order_id: String(request.orderId) },
            },
            { idempotencyKey: request.paymentId },
          );
      return chargeResultOf(intent, reference);
    } catch (error) {
      if (request.transactionId && error instanceof Stripe.errors.StripeError && error.code === "payment_intent_unexpected_state") {
        // Already succeeded (e.g. a webhook-confirmed earlier attempt): report what Stripe holds.
        return chargeResultOf(await this.stripe.paymentIntents.retrieve(request.transactionId), reference);
      }
      return chargeFailure(error, request.transactionId, reference);
    }
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    try {
      const refund = await this.stripe.refunds.create(
        { payment_intent: request.transactionId, amount: request.amountCents, metadata: { refund_id: request.refundId, reason: request.reason ?? "" } },
        { idempotencyKey: request.refundId },
      );
      if (refund.status === "failed" || refund.status === "canceled") {
        return { ok: false, code: refund.failure_reason ?? "refund_failed", message: "The refund was refused." };
      }
      return { ok: true, gatewayRefundId: refund.id };
    } catch (error) {
      const stripeError = error instanceof Stripe.errors.StripeError ? error : null;
      return { ok: false, code: stripeError?.code ?? "refund_failed", message: stripeError?.message ?? "The refund could not be sent to Stripe." };
    }
  }

  /** By the recorded intent, else by our payment id in the intent's metadata (Stripe's search, which can lag by up to a minute). */
  async findCharge(lookup: ChargeLookup): Promise<ChargeResult | null> {
    const intent = lookup.transactionId
      ? await this.stripe.paymentIntents.retrieve(lookup.transactionId)
      : (await this.stripe.paymentIntents.search({ query: `metadata['payment_id']:'${lookup.paymentId}'`, limit: 1 })).data[0];
    return intent ? chargeResultOf(intent) : null;
  }
}

/** What a PaymentIntent's state means for our payment; the request, the recovery job and the webhook all read it this way. */
export function chargeResultOf(intent: Stripe.PaymentIntent, reference: string | null = null): ChargeResult {
  const methodId = idOf(intent.payment_method) ?? reference;
  if (intent.status === "succeeded") return { ok: true, transactionId: intent.id, reference: methodId };
  const lastError = intent.last_payment_error;
  return {
    ok: false,
    code: lastError ? specificCode(lastError.code, lastError.decline_code) : `payment_${intent.status}`,
    message: lastError?.message ?? `The payment is ${intent.status.replaceAll("_", " ")}.`,
    retryable: lastError?.code === "processing_error",
    transactionId: intent.id,
    reference: methodId,
  };
}

/** Stripe's most specific reason: the issuer's decline code (e.g. insufficient_funds) unless it is generic. */
function specificCode(code: string | undefined, declineCode: string | undefined): string {
  if (declineCode && declineCode !== "generic_decline") return declineCode;
  return code ?? "card_declined";
}

function chargeFailure(error: unknown, transactionId: string | null, reference: string | null): Failure {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return { ok: false, code: "network_error", message: "The payment gateway could not be reached.", retryable: true, transactionId, reference };
  }
  const intent = error.payment_intent;
  const transient = error.type === "StripeConnectionError" || error.type === "StripeRateLimitError" || (error.statusCode ?? 0) >= 500;
  return {
    ok: false,
    code: transient && !error.code ? "gateway_unavailable" : specificCode(error.code, error.decline_code),
    message: error.message,
    retryable: transient || error.code === "processing_error",
    transactionId: intent?.id ?? transactionId,
    reference: idOf(intent?.payment_method) ?? idOf(error.payment_method) ?? reference,
  };
}
