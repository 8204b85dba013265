import type { AppContext } from "../../context";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { ApiError } from "../../lib/errors";
import { ratingScore } from "../workers/worker-score";
import { qualifiedFor } from "./order-visibility";
import { commitAssignment } from "./orders.service";

const ORDERS_PER_RUN = 50;
const ACTIVE_STATUSES = sql`('pending', 'paid', 'in_progress')`;

interface Candidate {
  orderId: number;
  status: "pending" | "paid";
  workerId: number | null;
  workerName: string | null;
}

/**
 * The best worker for one open order: available, active, qualified; fewest active orders, then
 * best rating score (the Bayesian average of their published reviews), then the longest-registered. Counted afresh per order so one run spreads the work.
 */
async function nextCandidate(db: Db, orderId: number): Promise<Candidate | undefined> {
  const [row] = await db.all<{ order_id: number; status: "pending" | "paid"; worker_id: number | null; worker_name: string | null }>(sql`
    SELECT o.id AS order_id, o.status AS status, best.user_id AS worker_id, best.username AS worker_name
    FROM orders o
    LEFT JOIN (
      SELECT wp.user_id, u.username FROM worker_profiles wp JOIN users u ON u.id = wp.user_id
      WHERE wp.is_available = 1 AND u.is_active = 1 AND u.role = 'worker'
        AND ${qualifiedFor(sql`wp.user_id`, sql`(SELECT service_id FROM orders WHERE id = ${orderId})`)}
      ORDER BY (SELECT count(*) FROM orders a WHERE a.worker_id = wp.user_id AND a.status IN ${ACTIVE_STATUSES}) ASC,
               ${ratingScore(sql`wp.rating_hundredths`, sql`wp.reviews_count`)} DESC, wp.rating_hundredths DESC, wp.user_id ASC
      LIMIT 1
    ) best ON 1 = 1
    WHERE o.id = ${orderId} AND o.worker_id IS NULL AND o.status IN ('pending', 'paid')`);
  return row && { orderId: row.order_id, status: row.status, workerId: row.worker_id, workerName: row.worker_name };
}

/**
 * Assigns open orders without a worker, oldest first. Each assignment is the same guarded write a
 * manual assign makes, so a run never races a person: whoever commits first wins, the other skips.
 * Running twice, or two overlapping runs, leaves the same end state.
 */
export async function autoAssignOrders(ctx: AppContext) {
  const { db, outbox } = ctx;
  const open = await db.all<{ id: number }>(sql`
    SELECT id FROM orders WHERE worker_id IS NULL AND status IN ('pending', 'paid') ORDER BY created_at, id LIMIT ${ORDERS_PER_RUN}`);
  let assigned = 0;
  let skipped = 0;
  for (const { id } of open) {
    const candidate = await nextCandidate(db, id);
    if (!candidate?.workerId) {
      skipped++;
      continue;
    }
    try {
      await commitAssignment(db, outbox, {
        orderId: id,
        status: candidate.status,
        assigneeId: candidate.workerId,
        assigneeName: candidate.workerName ?? String(candidate.workerId),
        actorId: null,
      });
      assigned++;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "conflict")) throw error;
      skipped++; // someone assigned or changed it meanwhile
    }
  }
  return { assigned, skipped };
}
