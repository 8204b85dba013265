// The traffic: a seeded schedule of marketplace operations. Every operation draws the same random
// numbers whatever happens, so one seed replays the same schedule; which order an operation hits
// is resolved against the orders that exist by then (which depends on timing, and on the kills).
import { ADMIN_ID, CLIENT_IDS, SERVICE_IDS, WORKER_IDS } from "./database.mjs";

/** mulberry32: small, fast, good enough for schedules. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const weighted = (table) => (r) => {
  let x = r * table.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of table) {
    x -= w;
    if (x < 0) return value;
  }
  return table.at(-1)[0];
};

const pickType = weighted([
  ["create", 18],
  ["pay", 24],
  ["cancel", 8],
  ["assign", 10],
  ["start", 8],
  ["complete", 6],
  ["refund-full", 12],
  ["refund-partial", 14],
  ["confirm", 6],
  ["dispute", 3],
  ["resolve", 3],
]);
/** Sandbox test cards (API.md): mostly successes, and the ones whose refunds fail. */
const pickCard = weighted([
  ["4242424242424242", 55],
  ["4000000000005126", 15],
  ["4000000000000002", 10],
  ["4000000000009995", 5],
  ["4000000000000119", 15],
]);
const pickKeyMode = weighted([
  ["none", 35],
  ["new", 35],
  ["new-twice", 15], // the same key sent twice at once
  ["retry", 15], // a key used before (perhaps by a request a kill cut), same body
]);
/** Operations aim at the newest orders (the newest paid ones for what needs money held), so concurrent ones collide on the same order. */
const RECENT_ORDERS = 10;
const DAY_MS = 86_400_000;

export function drawOperation(random, id) {
  return {
    id,
    type: pickType(random()),
    order: random(),
    client: CLIENT_IDS[Math.floor(random() * CLIENT_IDS.length)],
    worker: WORKER_IDS[Math.floor(random() * WORKER_IDS.length)],
    service: SERVICE_IDS[Math.floor(random() * SERVICE_IDS.length)],
    quantity: 1 + Math.floor(random() * 3),
    card: pickCard(random()),
    keyMode: pickKeyMode(random()),
    pastKey: random(),
    amountCents: 100 + Math.floor(random() * 1_500),
    byClient: random() < 0.5,
  };
}

const money = (cents) => (cents / 100).toFixed(2);

/** Runs operations against the API, remembering the orders and idempotency keys it created. */
export function createOperations({ client, tokens, seed }) {
  const orders = []; // { id, clientId }
  const paidOrders = [];
  const keys = []; // { order, key, body, answer, first }
  /** Keys answered once, then differently when sent again with the same body (Stripe semantics: the same answer). */
  const replayMismatches = [];
  const asAdmin = { token: tokens[ADMIN_ID] };

  const recent = (list, r) => list[list.length - 1 - Math.floor(r * Math.min(RECENT_ORDERS, list.length))];
  const NEEDS_PAYMENT = new Set(["assign", "start", "complete", "refund-full", "refund-partial", "confirm", "dispute", "resolve"]);
  const target = (op) => recent(NEEDS_PAYMENT.has(op.type) && paidOrders.length ? paidOrders : orders, op.order);
  const notePaid = (order, res) => {
    if (res.status === 201 && res.body.status === "completed") paidOrders.push(order);
  };

  async function create(op) {
    const res = await client.request("POST", "/api/orders/create/", {
      token: tokens[op.client],
      body: {
        service_id: op.service,
        description: `Crash test order (op ${op.id})`,
        address: "1 Crash St",
        scheduled_date: new Date(Date.now() + 7 * DAY_MS).toISOString(),
        quantity: op.quantity,
      },
    });
    if (res.status === 201) orders.push({ id: res.body.id, clientId: op.client });
  }

  const payBody = (card) => ({ payment_method: "card", card_number: card, card_expiry: "12/35", card_cvv: "123", card_holder_name: "Crash Test" });

  async function payWithKey(entry) {
    const res = await client.request("POST", `/api/payments/order/${entry.order.id}/pay/`, {
      token: tokens[entry.order.clientId],
      body: entry.body,
      headers: { "Idempotency-Key": entry.key },
      label: `pay order ${entry.order.id} with key ${entry.key}`,
    });
    entry.answer = res.status === null ? "none" : `${res.status} ${res.body?.code ?? res.body?.status}`;
    notePaid(entry.order, res);
    if (entry.answer !== "none" && entry.answer !== "409 idempotency_in_progress") {
      const answer = { answer: entry.answer, payment_id: res.body?.id ?? null };
      entry.first ??= answer;
      if (answer.answer !== entry.first.answer || answer.payment_id !== entry.first.payment_id) {
        replayMismatches.push({ key: entry.key, order_id: entry.order.id, first: entry.first, replay: answer });
      }
    }
    return entry.answer;
  }

  async function pay(op, order) {
    if (op.keyMode === "retry" && keys.length) return payWithKey(keys[Math.floor(op.pastKey * keys.length)]);
    const body = payBody(op.card);
    if (op.keyMode === "none" || op.keyMode === "retry") {
      return notePaid(order, await client.request("POST", `/api/payments/order/${order.id}/pay/`, { token: tokens[order.clientId], body }));
    }
    const entry = { order, key: `crash-${seed}-${op.id}`, body, answer: null, first: null };
    keys.push(entry);
    await Promise.all(op.keyMode === "new-twice" ? [payWithKey(entry), payWithKey(entry)] : [payWithKey(entry)]);
  }

  const changeStatus = (order, status, token) =>
    client.request("POST", `/api/orders/${order.id}/status/`, { token, body: { status, comment: `crash test: ${status}` } });

  async function refund(op, order) {
    const list = await client.request("GET", `/api/payments/?order=${order.id}`, asAdmin);
    const payment = list.body?.results?.find((p) => p.status === "completed" || p.status === "partially_refunded");
    if (!payment) return;
    const body = op.type === "refund-full" ? { reason: "crash test" } : { amount: money(op.amountCents), reason: "crash test" };
    await client.request("POST", `/api/payments/${payment.id}/refund/`, { ...asAdmin, body });
  }

  async function run(op) {
    const order = target(op);
    if (op.type === "create" || !order) return create(op);
    switch (op.type) {
      case "pay":
        return pay(op, order);
      case "cancel":
        return changeStatus(order, "canceled", op.byClient ? tokens[order.clientId] : asAdmin.token);
      case "assign":
        return client.request("POST", `/api/orders/${order.id}/assign/`, { ...asAdmin, body: { worker_id: op.worker } });
      case "start":
        return changeStatus(order, "in_progress", asAdmin.token);
      case "complete":
        return changeStatus(order, "completed", asAdmin.token);
      // Escrow: the client releases a completed order's money, or disputes it; an admin resolves.
      case "confirm":
        return client.request("POST", `/api/orders/${order.id}/confirm/`, { token: tokens[order.clientId] });
      case "dispute":
        return client.request("POST", `/api/orders/${order.id}/dispute/`, { token: tokens[order.clientId], body: { reason: "crash test" } });
      case "resolve":
        return client.request("POST", `/api/orders/${order.id}/dispute/resolve/`, {
          ...asAdmin,
          body: op.byClient ? { resolution: "release" } : { resolution: "refund", amount: money(op.amountCents) },
        });
      default:
        return refund(op, order);
    }
  }

  /**
   * After the crashes, a client retries each payment with a key whose answer it never got (cut by a
   * kill, or told the first request was still running), with the same body; returns `{ key, order_id, answer }`s.
   */
  function replayUnanswered() {
    const unanswered = keys.filter((entry) => entry.answer === "none" || entry.answer === "409 idempotency_in_progress");
    return Promise.all(unanswered.map(async (entry) => ({ key: entry.key, order_id: entry.order.id, answer: await payWithKey(entry) })));
  }

  return { run, replayUnanswered, keys, replayMismatches };
}
