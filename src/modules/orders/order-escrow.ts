import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { ESCROW_STATUSES, escrows, orders, type EscrowStatus } from "../../../drizzle/schema";
import { formatCents, moneyOutput } from "../../lib/money";
import { isoOrNull } from "../../lib/time";

/**
 * The order's escrow as the order shows it (the payouts module writes the `escrows` row; orders only
 * reads it, so orders imports nothing of payouts). Loaded in the order's one query as a JSON column.
 */
const dateTime = z.string().openapi({ format: "date-time" });

export const escrowSchema = z
  .object({
    status: z.enum(ESCROW_STATUSES),
    currency: z.string(),
    amount: moneyOutput.openapi({ description: "What the platform keeps of the charge (charged minus refunds before the release)" }),
    platform_fee: moneyOutput,
    worker_amount: moneyOutput,
    refunded: moneyOutput.openapi({ description: "Refunded to the client, before and after the release" }),
    reversed: moneyOutput.openapi({ description: "Taken back from the worker's transfer for refunds after the release" }),
    release_at: dateTime.nullable().openapi({ description: "completed_at + ESCROW_RELEASE_HOURS; null until the order is completed" }),
    released_at: dateTime.nullable(),
    dispute: z
      .object({
        reason: z.string(),
        opened_at: dateTime,
        escalated_at: dateTime.nullable(),
        resolution: z.enum(["release", "refund"]).nullable(),
        refund_amount: moneyOutput.nullable(),
        resolved_at: dateTime.nullable(),
      })
      .nullable(),
    chargeback: z
      .object({ id: z.string(), status: z.string() })
      .nullable()
      .openapi({ description: "A card dispute (Stripe chargeback) freezing the release; shown to admins only" }),
  })
  .openapi("Escrow");

type EscrowDto = z.infer<typeof escrowSchema>;

/** `escrows` columns as the JSON subquery returns them (raw SQLite values). */
interface EscrowJson {
  status: EscrowStatus;
  currency: string;
  amount: number;
  fee: number;
  worker: number;
  refunded: number;
  after_release: number;
  reversed: number;
  release_at: number | null;
  released_at: number | null;
  reason: string | null;
  disputed_at: number | null;
  escalated_at: number | null;
  resolution: "release" | "refund" | null;
  dispute_refund: number | null;
  resolved_at: number | null;
  chargeback_id: string | null;
  chargeback_status: string | null;
}

export const escrowJson = sql<string | null>`(SELECT json_object(
    'status', e.status, 'currency', e.currency, 'amount', e.amount_cents, 'fee', e.platform_fee_cents,
    'worker', e.worker_amount_cents, 'refunded', e.refunded_cents, 'after_release', e.refunded_after_release_cents,
    'reversed', e.reversed_cents, 'release_at', e.release_at, 'released_at', e.released_at, 'reason', e.dispute_reason,
    'disputed_at', e.disputed_at, 'escalated_at', e.dispute_escalated_at, 'resolution', e.dispute_resolution,
    'dispute_refund', e.dispute_refund_cents, 'resolved_at', e.dispute_resolved_at,
    'chargeback_id', e.chargeback_id, 'chargeback_status', e.chargeback_status)
  FROM ${escrows} e WHERE e.order_id = ${orders.id})`;

const at = (ms: number | null) => isoOrNull(ms === null ? null : new Date(ms));

/** null before the order is paid. Disputes only to the parties and admins, chargebacks only to admins. */
export function toEscrowDto(json: string | null, view: { isParty: boolean; isAdmin: boolean }): EscrowDto | null {
  if (!json) return null;
  const e = JSON.parse(json) as EscrowJson;
  return {
    status: e.status,
    currency: e.currency,
    amount: formatCents(e.amount),
    platform_fee: formatCents(e.fee),
    worker_amount: formatCents(e.worker),
    refunded: formatCents(e.refunded + e.after_release),
    reversed: formatCents(e.reversed),
    release_at: at(e.release_at),
    released_at: at(e.released_at),
    dispute:
      e.disputed_at !== null && view.isParty
        ? {
            reason: e.reason ?? "",
            opened_at: at(e.disputed_at) as string,
            escalated_at: at(e.escalated_at),
            resolution: e.resolution,
            refund_amount: e.dispute_refund === null ? null : formatCents(e.dispute_refund),
            resolved_at: at(e.resolved_at),
          }
        : null,
    chargeback: e.chargeback_id && view.isAdmin ? { id: e.chargeback_id, status: e.chargeback_status ?? "" } : null,
  };
}
