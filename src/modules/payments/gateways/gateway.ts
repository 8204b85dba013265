/** Card details as entered; they live only for the duration of one request and are never stored. */
interface CardDetails {
  number: string;
  expMonth: number;
  /** Four digits. */
  expYear: number;
  cvc: string;
  holderName: string;
}

export interface ChargeRequest {
  amountCents: number;
  currency: string;
  /** The card itself (first attempt) or the gateway's reusable reference from an earlier attempt (retries). */
  source: { card: CardDetails } | { reference: string };
  paymentId: string;
  orderId: number;
  /** 1 for the first try; the payment-retry job counts up. */
  attempt: number;
  /** The gateway's transaction from an earlier attempt of this payment, to be confirmed again. */
  transactionId: string | null;
}

/** `reference` is what a retry can charge again without card data (sandbox token, Stripe PaymentMethod id). */
export type ChargeResult =
  | { ok: true; transactionId: string; reference: string | null }
  | {
      ok: false;
      code: string;
      message: string;
      /** Transient (network, 5xx, processing_error): the payment-retry job may try again. */
      retryable: boolean;
      transactionId: string | null;
      reference: string | null;
    };

export interface RefundRequest {
  transactionId: string;
  amountCents: number;
  /** Our refund row's id: the gateway's idempotency key and a tag on the gateway's refund (webhooks match it). */
  refundId: string;
  reason?: string;
}

export type RefundResult = { ok: true; gatewayRefundId: string } | { ok: false; code: string; message: string };

/**
 * The longest a request waits for a gateway. The recovery leases (idempotency keys, refund intents)
 * are longer, so recovery never takes over a request that is still waiting for its answer.
 */
export const GATEWAY_TIMEOUT_MS = 20_000;

const GATEWAY_NAMES = ["sandbox", "stripe"] as const;
type GatewayName = (typeof GATEWAY_NAMES)[number];

/** Which payment a lookup is about: our payment id (sent as metadata and idempotency key) and the transaction, if one was recorded. */
export interface ChargeLookup {
  paymentId: string;
  transactionId: string | null;
}

/** Charges, refunds and payouts resolve with a result; only programming errors (and unreachable gateways for lookups) throw. */
export interface PaymentGateway extends PayoutGateway {
  readonly name: GatewayName;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
  /**
   * What the gateway holds for a payment whose charge outcome was never recorded: the charge's
   * result, or null when no charge of it exists. Throws when the gateway can't be asked now.
   */
  findCharge(lookup: ChargeLookup): Promise<ChargeResult | null>;
}

/** The gateway new payments use, and the one that took an existing payment (refunds go back through it). */
export interface Gateways {
  current: PaymentGateway;
  byName(name: string): PaymentGateway;
}

/** A connected account as the gateway reports it (Stripe Connect account, or the sandbox's). */
export interface PayoutAccountState {
  accountId: string;
  status: "pending" | "enabled" | "restricted";
  /** What the gateway still needs from the worker before it pays out (Stripe's `requirements.currently_due`). */
  requirements: string[];
}

export interface TransferRequest {
  /** Our id of the transfer: the idempotency key, so a rerun after a crash gets the same transfer back. */
  transferId: string;
  amountCents: number;
  currency: string;
  /** The worker's connected account. */
  destination: string;
  /** The payment's gateway transaction (the charge the money came from). */
  sourceTransaction: string;
  orderId: number;
}

export type TransferResult =
  | { ok: true; gatewayTransferId: string }
  /**
   * `retryable`: the gateway could not be reached or failed on its side (network, 429, 5xx), so the
   * transfer may exist; only a retry with the same transfer id (idempotency key) is safe.
   */
  | { ok: false; code: string; message: string; retryable: boolean };

export interface ReversalRequest {
  gatewayTransferId: string;
  amountCents: number;
  /** Idempotency key: the same key never reverses twice. */
  reversalKey: string;
}

export type ReversalResult = { ok: true; gatewayReversalId: string } | { ok: false; code: string; message: string };

/** Moving held money on to workers (Stripe Connect "separate charges and transfers"). */
interface PayoutGateway {
  createPayoutAccount(request: { userId: number; email: string }): Promise<PayoutAccountState>;
  /** Where the worker completes onboarding (Stripe: an Account Link; sandbox: a local endpoint). */
  onboardingUrl(accountId: string, baseUrl: string): Promise<string>;
  transfer(request: TransferRequest): Promise<TransferResult>;
  reverseTransfer(request: ReversalRequest): Promise<ReversalResult>;
}
