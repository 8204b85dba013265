import { digitsOnly } from "./cards";
import type {
  ChargeLookup,
  ChargeRequest,
  ChargeResult,
  PaymentGateway,
  PayoutAccountState,
  RefundRequest,
  RefundResult,
  ReversalRequest,
  ReversalResult,
  TransferRequest,
  TransferResult,
} from "./gateway";

/** Sandbox connected accounts: an unguessable id, so the onboarding link works as a capability URL. */
export const SANDBOX_ACCOUNT_PREFIX = "acct_sandbox_";

type Scenario = "success" | "card_declined" | "insufficient_funds" | "processing_error" | "refund_fails";

/** Stripe's test card numbers (API.md); any other valid number succeeds. */
const TEST_CARDS: Record<string, Scenario> = {
  "4242424242424242": "success",
  "4000000000000002": "card_declined",
  "4000000000009995": "insufficient_funds",
  "4000000000000119": "processing_error",
  "4000000000005126": "refund_fails",
};

const SCENARIOS = new Set<string>(Object.values(TEST_CARDS));

const FAILURES: Partial<Record<Scenario, { message: string; retryable: boolean }>> = {
  card_declined: { message: "Your card was declined.", retryable: false },
  insufficient_funds: { message: "Your card has insufficient funds.", retryable: false },
  processing_error: { message: "An error occurred while processing your card. Try again in a little bit.", retryable: true },
};

const TOKEN_PREFIX = "tok_sandbox_";
const REFUND_FAILS_TAG = "rf_";

function scenarioOf(source: ChargeRequest["source"]): Scenario | null {
  if ("card" in source) return TEST_CARDS[digitsOnly(source.card.number)] ?? "success";
  const scenario = source.reference.slice(TOKEN_PREFIX.length);
  return source.reference.startsWith(TOKEN_PREFIX) && SCENARIOS.has(scenario) ? (scenario as Scenario) : null;
}

/**
 * The local default: deterministic by card number, instant, no network. The reusable reference is a
 * token naming the card's scenario, so a retry behaves like the card did; transaction ids derive
 * from the payment id (one charge per payment).
 */
export class SandboxGateway implements PaymentGateway {
  readonly name = "sandbox" as const;

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const scenario = scenarioOf(request.source);
    if (!scenario) {
      return { ok: false, code: "invalid_reference", message: "Unknown payment method reference.", retryable: false, transactionId: null, reference: null };
    }
    const reference = `${TOKEN_PREFIX}${scenario}`;
    const failure = FAILURES[scenario];
    if (failure) return { ok: false, code: scenario, ...failure, transactionId: null, reference };
    const tag = scenario === "refund_fails" ? REFUND_FAILS_TAG : "";
    return { ok: true, transactionId: `ch_sandbox_${tag}${request.paymentId}`, reference };
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    if (request.transactionId.startsWith(`ch_sandbox_${REFUND_FAILS_TAG}`)) {
      return { ok: false, code: "refund_failed", message: "The card issuer refused the refund." };
    }
    return { ok: true, gatewayRefundId: `re_sandbox_${request.refundId}` };
  }

  /** The sandbox moves no money and keeps no record: a charge whose answer was never recorded did not happen. */
  async findCharge(_lookup: ChargeLookup): Promise<ChargeResult | null> {
    return null;
  }

  /** Pending until the worker opens the onboarding link, which enables it at once (no network). */
  async createPayoutAccount(_request: { userId: number; email: string }): Promise<PayoutAccountState> {
    return { accountId: `${SANDBOX_ACCOUNT_PREFIX}${crypto.randomUUID().replaceAll("-", "")}`, status: "pending", requirements: ["onboarding"] };
  }

  async onboardingUrl(accountId: string, baseUrl: string): Promise<string> {
    return `${baseUrl}/api/payouts/sandbox/onboard/${accountId}/`;
  }

  /** Deterministic from our transfer id, so a repeated call (same idempotency key) is the same transfer. */
  async transfer(request: TransferRequest): Promise<TransferResult> {
    return { ok: true, gatewayTransferId: `tr_sandbox_${request.transferId}` };
  }

  async reverseTransfer(request: ReversalRequest): Promise<ReversalResult> {
    return { ok: true, gatewayReversalId: `trr_sandbox_${request.reversalKey}` };
  }
}
