/**
 * A small stand-in for the Stripe API, just the endpoints the payments module uses, speaking
 * Stripe's wire format (form-encoded requests, JSON objects and errors) so the real SDK can talk to
 * it: PaymentMethods, PaymentIntents (create with confirm, confirm, retrieve), Refunds, and for
 * Connect: Accounts, Account Links, Transfers and Transfer Reversals. Card
 * behaviour follows Stripe's test cards; Idempotency-Key replays the first response.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

type Scenario = "success" | "card_declined" | "insufficient_funds" | "processing_error" | "refund_fails";
type Json = Record<string, unknown>;

const CARD_SCENARIOS: Record<string, Scenario> = {
  "4242424242424242": "success",
  "4000000000000002": "card_declined",
  "4000000000009995": "insufficient_funds",
  "4000000000000119": "processing_error",
  "4000000000005126": "refund_fails",
};

const TEST_METHODS: Record<string, Scenario> = {
  pm_card_visa: "success",
  pm_card_chargeDeclined: "card_declined",
  pm_card_chargeDeclinedInsufficientFunds: "insufficient_funds",
  pm_card_chargeDeclinedProcessingError: "processing_error",
  pm_card_refundFail: "refund_fails",
};

const DECLINES: Partial<Record<Scenario, { code: string; decline_code?: string; message: string }>> = {
  card_declined: { code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
  insufficient_funds: { code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." },
  processing_error: { code: "processing_error", message: "An error occurred while processing your card. Try again in a little bit." },
};

class StripeFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message));
  }
}

const invalid = (message: string, code?: string, status = 400) =>
  new StripeFailure(status, { type: "invalid_request_error", code, message });

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

/** `a[b][c]=1` form fields → nested objects, as Stripe reads them. */
function parseForm(text: string): Json {
  const out: Json = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const path = name.replace(/\]/g, "").split("[");
    let node = out;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else {
        node[part] ??= {};
        node = node[part] as Json;
      }
    });
  }
  return out;
}

function luhn(digits: string) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return /^\d{12,19}$/.test(digits) && sum % 10 === 0;
}

export class FakeStripe {
  readonly methods = new Map<string, Json & { scenario: Scenario }>();
  readonly intents = new Map<string, Json>();
  readonly refunds = new Map<string, Json>();
  readonly accounts = new Map<string, Json>();
  readonly transfers = new Map<string, Json>();
  /** Intents charged with a card whose refunds fail. */
  private readonly refundFails = new Set<unknown>();
  private readonly idempotent = new Map<string, { fingerprint: string; status: number; body: Json }>();
  /** Statuses to answer the next requests with (to any path, or to one path only): simulates Stripe outages. */
  readonly failNext: { status: number; path?: string }[] = [];
  requests = 0;

  handle(method: string, path: string, params: Json, idempotencyKey: string | undefined): { status: number; body: Json } {
    this.requests++;
    const next = this.failNext.findIndex((outage) => !outage.path || outage.path === path);
    if (next !== -1) {
      const [outage] = this.failNext.splice(next, 1);
      return { status: outage.status, body: { error: { type: "api_error", message: "Stripe is having a bad day." } } };
    }
    const fingerprint = createHash("sha256").update(`${method} ${path} ${JSON.stringify(params)}`).digest("hex");
    const replay = idempotencyKey && method === "POST" ? this.idempotent.get(idempotencyKey) : undefined;
    if (replay) {
      if (replay.fingerprint !== fingerprint) {
        return { status: 400, body: { error: { type: "idempotency_error", message: "Keys for idempotent requests can only be used with the same parameters they were first used with." } } };
      }
      return { status: replay.status, body: replay.body };
    }
    let response: { status: number; body: Json };
    try {
      response = { status: 200, body: this.route(method, path, params) };
    } catch (error) {
      if (!(error instanceof StripeFailure)) throw error;
      response = { status: error.status, body: { error: error.body } };
    }
    if (idempotencyKey && method === "POST") this.idempotent.set(idempotencyKey, { fingerprint, ...response });
    return response;
  }

  private route(method: string, path: string, params: Json): Json {
    if (method === "POST" && path === "/v1/payment_methods") return this.createMethod(params);
    if (method === "POST" && path === "/v1/payment_intents") return this.createIntent(params);
    const confirm = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path);
    if (method === "POST" && confirm) return this.confirm(this.intent(confirm[1]), params);
    if (method === "GET" && path === "/v1/payment_intents/search") return this.searchIntents(String(params.query ?? ""));
    const intent = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === "GET" && intent) return this.intent(intent[1]);
    if (method === "POST" && path === "/v1/refunds") return this.createRefund(params);
    if (method === "POST" && path === "/v1/accounts") return this.createAccount(params);
    const account = /^\/v1\/accounts\/([^/]+)$/.exec(path);
    if (method === "GET" && account) return this.account(account[1]);
    if (method === "POST" && path === "/v1/account_links") return this.createAccountLink(params);
    if (method === "POST" && path === "/v1/transfers") return this.createTransfer(params);
    const reversal = /^\/v1\/transfers\/([^/]+)\/reversals$/.exec(path);
    if (method === "POST" && reversal) return this.createReversal(this.transfer(reversal[1]), params);
    const transfer = /^\/v1\/transfers\/([^/]+)$/.exec(path);
    if (method === "GET" && transfer) return this.transfer(transfer[1]);
    throw invalid(`Unrecognized request URL (${method}: ${path}).`, undefined, 404);
  }

  private createMethod(params: Json): Json {
    const card = (params.card ?? {}) as Json;
    const number = String(card.number ?? "");
    if (!luhn(number)) throw new StripeFailure(402, { type: "card_error", code: "incorrect_number", message: "Your card number is incorrect.", param: "card[number]" });
    const method = {
      id: newId("pm"),
      object: "payment_method",
      type: "card",
      created: now(),
      card: { brand: number.startsWith("4") ? "visa" : "unknown", last4: number.slice(-4), exp_month: Number(card.exp_month), exp_year: Number(card.exp_year) },
      billing_details: params.billing_details ?? {},
      scenario: CARD_SCENARIOS[number] ?? "success",
    };
    this.methods.set(method.id, method);
    return publicMethod(method);
  }

  private method(id: string) {
    const known = this.methods.get(id);
    if (known) return known;
    const scenario = TEST_METHODS[id];
    if (!scenario) throw invalid(`No such PaymentMethod: '${id}'`, "resource_missing", 404);
    return { id, object: "payment_method", type: "card", scenario };
  }

  private intent(id: string): Json {
    const intent = this.intents.get(id);
    if (!intent) throw invalid(`No such payment_intent: '${id}'`, "resource_missing", 404);
    return intent;
  }

  /** Only the one query form the app sends: `metadata['key']:'value'`. */
  private searchIntents(query: string): Json {
    const match = /^metadata\['([^']+)'\]:'([^']*)'$/.exec(query);
    if (!match) throw invalid(`Unsupported search query: ${query}`, "parameter_invalid_string");
    const data = [...this.intents.values()].filter((intent) => (intent.metadata as Json)[match[1]] === match[2]);
    return { object: "search_result", data, has_more: false, next_page: null, url: "/v1/payment_intents/search" };
  }

  private createIntent(params: Json): Json {
    const amount = Number(params.amount);
    if (!Number.isInteger(amount) || amount < 50) throw invalid("Amount must be at least $0.50 usd", "amount_too_small");
    const intent: Json = {
      id: newId("pi"),
      object: "payment_intent",
      amount,
      amount_received: 0,
      currency: String(params.currency ?? ""),
      metadata: params.metadata ?? {},
      payment_method: params.payment_method ?? null,
      status: "requires_payment_method",
      last_payment_error: null,
      latest_charge: null,
      created: now(),
    };
    this.intents.set(String(intent.id), intent);
    return params.confirm === "true" ? this.confirm(intent, {}) : intent;
  }

  private confirm(intent: Json, params: Json): Json {
    if (intent.status === "succeeded") {
      throw new StripeFailure(400, { type: "invalid_request_error", code: "payment_intent_unexpected_state", message: "This PaymentIntent's status is succeeded.", payment_intent: intent });
    }
    if (params.payment_method) intent.payment_method = params.payment_method;
    if (!intent.payment_method) throw invalid("You must provide a payment method.", "parameter_missing");
    const method = this.method(String(intent.payment_method));
    const decline = DECLINES[method.scenario];
    if (decline) {
      const error = { type: "card_error", ...decline, charge: newId("ch"), payment_method: publicMethod(method) };
      Object.assign(intent, { status: "requires_payment_method", last_payment_error: error });
      throw new StripeFailure(402, { ...error, payment_intent: intent });
    }
    Object.assign(intent, { status: "succeeded", amount_received: intent.amount, latest_charge: newId("ch"), last_payment_error: null });
    if (method.scenario === "refund_fails") this.refundFails.add(intent.id);
    return intent;
  }

  // ── Connect ──

  private createAccount(params: Json): Json {
    const capabilities = (params.capabilities ?? {}) as Record<string, Json>;
    const account: Json = {
      id: newId("acct"),
      object: "account",
      type: params.type ?? "express",
      email: params.email ?? null,
      metadata: params.metadata ?? {},
      details_submitted: false,
      charges_enabled: false,
      payouts_enabled: false,
      capabilities: Object.fromEntries(Object.keys(capabilities).map((name) => [name, "inactive"])),
      requirements: { currently_due: ["external_account", "individual.dob.day", "tos_acceptance.date"], disabled_reason: "requirements.past_due" },
      created: now(),
    };
    this.accounts.set(String(account.id), account);
    return account;
  }

  private account(id: string): Json {
    const account = this.accounts.get(id);
    if (!account) throw invalid(`No such account: '${id}'`, "resource_missing", 404);
    return account;
  }

  /** What the worker finishing Stripe's hosted onboarding does (a test control, not a Stripe endpoint). */
  onboard(id: string, outcome: "enabled" | "restricted"): Json {
    const account = this.account(id);
    const enabled = outcome === "enabled";
    Object.assign(account, {
      details_submitted: true,
      charges_enabled: enabled,
      payouts_enabled: enabled,
      capabilities: { transfers: enabled ? "active" : "inactive" },
      requirements: enabled ? { currently_due: [], disabled_reason: null } : { currently_due: ["individual.verification.document"], disabled_reason: "requirements.past_due" },
    });
    return account;
  }

  private createAccountLink(params: Json): Json {
    const account = this.account(String(params.account ?? ""));
    if (params.type !== "account_onboarding") throw invalid("Invalid type.", "parameter_invalid_string");
    if (!params.refresh_url || !params.return_url) throw invalid("Missing required param: refresh_url / return_url.", "parameter_missing");
    return { object: "account_link", url: `https://connect.stripe.com/setup/e/${String(account.id)}/${randomBytes(8).toString("hex")}`, created: now(), expires_at: now() + 300 };
  }

  private chargeOf(chargeId: string): Json | undefined {
    return [...this.intents.values()].find((intent) => intent.latest_charge === chargeId);
  }

  private createTransfer(params: Json): Json {
    const destination = this.accounts.get(String(params.destination ?? ""));
    if (!destination) throw invalid(`No such destination: '${String(params.destination)}'`, "resource_missing");
    if ((destination.capabilities as Json).transfers !== "active") {
      throw invalid("Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments", "insufficient_capabilities_for_transfer");
    }
    const amount = Number(params.amount);
    if (!Number.isInteger(amount) || amount <= 0) throw invalid("Invalid positive integer", "parameter_invalid_integer");
    if (params.source_transaction !== undefined) {
      const charge = this.chargeOf(String(params.source_transaction));
      if (!charge) throw invalid(`No such charge: '${String(params.source_transaction)}'`, "resource_missing");
      if (amount > Number(charge.amount_received)) throw invalid("Transfer amount exceeds the source transaction's amount.", "transfer_source_balance_parameters_mismatch");
    }
    const transfer: Json = {
      id: newId("tr"),
      object: "transfer",
      amount,
      amount_reversed: 0,
      currency: String(params.currency ?? ""),
      destination: destination.id,
      source_transaction: params.source_transaction ?? null,
      transfer_group: params.transfer_group ?? null,
      metadata: params.metadata ?? {},
      reversed: false,
      reversals: { object: "list", data: [], has_more: false },
      created: now(),
    };
    this.transfers.set(String(transfer.id), transfer);
    return transfer;
  }

  private transfer(id: string): Json {
    const transfer = this.transfers.get(id);
    if (!transfer) throw invalid(`No such transfer: '${id}'`, "resource_missing", 404);
    return transfer;
  }

  private createReversal(transfer: Json, params: Json): Json {
    const left = Number(transfer.amount) - Number(transfer.amount_reversed);
    const amount = params.amount === undefined ? left : Number(params.amount);
    if (amount > left) throw invalid("Transfer reversal amount exceeds the transfer's unreversed amount.", "amount_too_large");
    const reversal: Json = { id: newId("trr"), object: "transfer_reversal", amount, currency: transfer.currency, transfer: transfer.id, created: now() };
    transfer.amount_reversed = Number(transfer.amount_reversed) + amount;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    ((transfer.reversals as Json).data as Json[]).push(reversal);
    return reversal;
  }

  private createRefund(params: Json): Json {
    const intent = this.intent(String(params.payment_intent ?? ""));
    if (intent.status !== "succeeded") throw invalid("This PaymentIntent does not have a successful charge to refund.", "charge_not_refundable");
    const refunded = [...this.refunds.values()]
      .filter((r) => r.payment_intent === intent.id && r.status !== "failed")
      .reduce((sum, r) => sum + Number(r.amount), 0);
    const left = Number(intent.amount_received) - refunded;
    const amount = params.amount === undefined ? left : Number(params.amount);
    if (left <= 0) throw invalid(`Charge ${String(intent.latest_charge)} has already been refunded.`, "charge_already_refunded");
    if (amount > left) throw invalid(`Refund amount ($${amount / 100}) is greater than unrefunded amount on charge ($${left / 100})`, "amount_too_large");
    const refund: Json = {
      id: newId("re"),
      object: "refund",
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      charge: intent.latest_charge,
      metadata: params.metadata ?? {},
      // Stripe's 4000000000005126: the refund is accepted, then fails asynchronously (refund.updated).
      status: this.refundFails.has(intent.id) ? "pending" : "succeeded",
      created: now(),
    };
    this.refunds.set(String(refund.id), refund);
    return refund;
  }
}

function publicMethod(method: Json): Json {
  const { scenario: _scenario, ...rest } = method;
  return rest;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: Json, idempotencyKey?: string) {
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Request-Id": newId("req"),
    ...(idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {}),
  });
  res.end(JSON.stringify(body));
}

/**
 * Serves a FakeStripe on 127.0.0.1 (port 0: the OS picks a free one, so parallel runs don't clash).
 * `/__control/fail-next` (POST, form `status=500`, optionally `path=/v1/transfers`) makes the next API
 *   request (to that path) fail that way;
 * `/__control/onboard` (POST, form `account=acct_…&outcome=enabled|restricted`) finishes an account's onboarding.
 */
export async function startFakeStripe(port = 0): Promise<{ server: Server; port: number; stripe: FakeStripe }> {
  const stripe = new FakeStripe();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const text = await readBody(req);
    const params = parseForm(req.method === "GET" ? url.searchParams.toString() : text);
    if (url.pathname === "/__control/fail-next") {
      stripe.failNext.push({ status: Number(params.status ?? 500), path: params.path ? String(params.path) : undefined });
      return send(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/onboard") {
      try {
        return send(res, 200, stripe.onboard(String(params.account ?? ""), params.outcome === "restricted" ? "restricted" : "enabled"));
      } catch (error) {
        return send(res, 404, { error: { message: String(error) } });
      }
    }
    if (!/^Bearer sk_test_\w+/.test(req.headers.authorization ?? "")) {
      return send(res, 401, { error: { type: "invalid_request_error", message: "Invalid API Key provided." } });
    }
    const key = req.headers["idempotency-key"] as string | undefined;
    const { status, body } = stripe.handle(req.method ?? "GET", url.pathname, params, key);
    send(res, status, body, key);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : port, stripe };
}
