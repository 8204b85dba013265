// What must hold in the database after the crashes and the recovery, as SQL over the real schema
// (drizzle/schema.ts). Each query returns the rows that break its invariant.
const INVARIANTS = {
  "fully refunded order still open": `
    SELECT o.id AS order_id, o.status, p.id AS payment_id FROM orders o JOIN payments p ON p.order_id = o.id
    WHERE p.status = 'refunded' AND o.status IN ('pending', 'paid', 'in_progress')`,
  "refund without a gateway outcome": `
    SELECT id AS refund_id, payment_id, amount_cents FROM refunds WHERE gateway_refund_id IS NULL`,
  "refunds don't add up to the payment's refunded amount": `
    SELECT p.id AS payment_id, p.status, p.amount_cents, p.refunded_amount_cents, COALESCE(SUM(r.amount_cents), 0) AS refunds_sum
    FROM payments p LEFT JOIN refunds r ON r.payment_id = p.id GROUP BY p.id
    HAVING refunds_sum != p.refunded_amount_cents OR p.refunded_amount_cents > p.amount_cents`,
  "money held on a pending order": `
    SELECT o.id AS order_id, p.id AS payment_id, p.status AS payment_status FROM orders o JOIN payments p ON p.order_id = o.id
    WHERE p.status IN ('completed', 'partially_refunded') AND o.status = 'pending'`,
  "idempotency key still in progress": `
    SELECT id, user_id, scope, key FROM idempotency_keys WHERE response_status IS NULL`,
  "last status history row differs from the order's status": `
    SELECT o.id AS order_id, o.status, h.status AS last_history_status FROM orders o
    JOIN order_status_history h ON h.id = (SELECT MAX(id) FROM order_status_history WHERE order_id = o.id)
    WHERE h.status != o.status`,
  "order without status history": `
    SELECT o.id AS order_id, o.status FROM orders o
    WHERE NOT EXISTS (SELECT 1 FROM order_status_history h WHERE h.order_id = o.id)`,
  "more than one successful charge for an order": `
    SELECT order_id, COUNT(*) AS charges, GROUP_CONCAT(id) AS payment_ids FROM payments
    WHERE status IN ('completed', 'partially_refunded', 'refunded') GROUP BY order_id HAVING COUNT(*) > 1`,
  // Escrow and ledger (migrations/0009_escrow_ledger.sql): for every order, money in = money out + held.
  "ledger out of balance with the order's escrow": `
    SELECT * FROM (
      SELECT e.order_id, e.status,
        COALESCE((SELECT SUM(l.amount_cents) FROM ledger_entries l WHERE l.order_id = e.order_id), 0) AS ledger_sum,
        CASE e.status
          WHEN 'released' THEN e.reversed_cents + e.fee_returned_cents - e.refunded_after_release_cents
          WHEN 'releasing' THEN e.amount_cents - e.refunded_after_release_cents
          WHEN 'refunded' THEN 0
          ELSE e.amount_cents END AS held
      FROM escrows e)
    WHERE ledger_sum != held`,
  "ledger out of balance for an order without escrow": `
    SELECT * FROM (
      SELECT p.order_id,
        COALESCE((SELECT SUM(l.amount_cents) FROM ledger_entries l WHERE l.order_id = p.order_id), 0) AS ledger_sum,
        SUM(CASE WHEN p.status IN ('completed', 'partially_refunded', 'refunded') THEN p.amount_cents ELSE 0 END)
          - COALESCE((SELECT SUM(r.amount_cents) FROM refunds r JOIN payments q ON q.id = r.payment_id
                      WHERE q.order_id = p.order_id AND r.gateway_refund_id IS NOT NULL), 0) AS held
      FROM payments p WHERE NOT EXISTS (SELECT 1 FROM escrows e WHERE e.order_id = p.order_id) GROUP BY p.order_id)
    WHERE ledger_sum != held`,
  "charge without its ledger entry": `
    SELECT p.id AS payment_id, p.order_id FROM payments p
    WHERE p.status IN ('completed', 'partially_refunded', 'refunded')
      AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.payment_id = p.id AND l.kind = 'charge')`,
  "paid order without escrow": `
    SELECT o.id AS order_id, o.status FROM orders o JOIN payments p ON p.order_id = o.id AND p.status IN ('completed', 'partially_refunded')
    WHERE o.status IN ('paid', 'in_progress', 'completed') AND NOT EXISTS (SELECT 1 FROM escrows e WHERE e.order_id = o.id)`,
  "escrow release never recorded": `
    SELECT order_id, transfer_id FROM escrows WHERE status = 'releasing'`,
};

/** Every violation as `{ invariant, row }`. */
export async function checkInvariants(db) {
  const violations = [];
  for (const [invariant, sql] of Object.entries(INVARIANTS)) {
    const { results } = await db.prepare(sql).all();
    for (const row of results) violations.push({ invariant, row });
  }
  return violations;
}
