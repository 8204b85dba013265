import Stripe from "stripe";
import {
  GATEWAY_TIMEOUT_MS,
  type ChargeLookup,
  type ChargeRequest,
  type ChargeResult,
  type PaymentGateway,
  type PayoutAccountState,
  type RefundRequest,
  type RefundResult,
  type ReversalRequest,
  type ReversalResult,
  type TransferRequest,
  type TransferResult,
} from "./gateway";

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

  /** An Express connected account that can receive transfers; the worker onboards through an Account Link. */
  async createPayoutAccount(request: { userId: number; email: string }): Promise<PayoutAccountState> {
    const account = await this.stripe.accounts.create(
      {
        type: "express",
        email: request.email || undefined,
        capabilities: { transfers: { requested: true } },
        metadata: { user_id: String(request.userId) },
      },
      { idempotencyKey: `payout-account:${request.userId}` },
    );
    return payoutAccountStateOf(account);
  }

  async onboardingUrl(accountId: string, baseUrl: string): Promise<string> {
    const link = await this.stripe.accountLinks.create({
      account: accountId,
      type: "account_onboarding",
      refresh_url: `${baseUrl}/?payouts=refresh`,
      return_url: `${baseUrl}/?payouts=return`,
    });
    return link.url;
  }

  /**
   * Separate charges and transfers: the worker's share leaves the platform balance with the
   * payment's charge as `source_transaction` (so it waits for those funds) and the order as
   * `transfer_group`; our transfer id is the idempotency key, so a retry after a crash gets the same transfer.
   */
  async transfer(request: TransferRequest): Promise<TransferResult> {
    try {
      const intent = request.sourceTransaction.startsWith("pi_") ? await this.stripe.paymentIntents.retrieve(request.sourceTransaction) : null;
      const charge = intent ? idOf(intent.latest_charge) : request.sourceTransaction;
      const transfer = await this.stripe.transfers.create(
        {
          amount: request.amountCents,
          currency: request.currency.toLowerCase(),
          destination: request.destination,
          source_transaction: charge ?? undefined,
          transfer_group: `order_${request.orderId}`,
          metadata: { transfer_id: request.transferId, order_id: String(request.orderId) },
        },
        { idempotencyKey: request.transferId },
      );
      return { ok: true, gatewayTransferId: transfer.id };
    } catch (error) {
      return stripeFailure(error, "transfer_failed");
    }
  }

  async reverseTransfer(request: ReversalRequest): Promise<ReversalResult> {
    try {
      const reversal = await this.stripe.transfers.createReversal(
        request.gatewayTransferId,
        { amount: request.amountCents },
        { idempotencyKey: request.reversalKey },
      );
      return { ok: true, gatewayReversalId: reversal.id };
    } catch (error) {
      return stripeFailure(error, "reversal_failed");
    }
  }
}

/** Stripe unreachable or failing on its side: the request's outcome is unknown, and it may be retried with its idempotency key. */
const isTransient = (error: InstanceType<typeof Stripe.errors.StripeError>) =>
  error.type === "StripeConnectionError" || error.type === "StripeRateLimitError" || (error.statusCode ?? 0) >= 500;

function stripeFailure(error: unknown, fallback: string): { ok: false; code: string; message: string; retryable: boolean } {
  if (!(error instanceof Stripe.errors.StripeError)) return { ok: false, code: fallback, message: "Stripe could not be reached.", retryable: true };
  return { ok: false, code: error.code ?? fallback, message: error.message, retryable: isTransient(error) };
}

/** Enabled once transfers are active; restricted when Stripe disabled it; pending while onboarding. */
export function payoutAccountStateOf(account: Stripe.Account): PayoutAccountState {
  const requirements = account.requirements?.currently_due ?? [];
  const status = account.capabilities?.transfers === "active" && account.payouts_enabled
    ? "enabled"
    : account.requirements?.disabled_reason && account.details_submitted
      ? "restricted"
      : "pending";
  return { accountId: account.id, status, requirements };
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
  const transient = isTransient(error);
  return {
    ok: false,
    code: transient && !error.code ? "gateway_unavailable" : specificCode(error.code, error.decline_code),
    message: error.message,
    retryable: transient || error.code === "processing_error",
    transactionId: intent?.id ?? transactionId,
    reference: idOf(intent?.payment_method) ?? idOf(error.payment_method) ?? reference,
  };
}
