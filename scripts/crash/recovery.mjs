// The recovery after the last crash: time passes (the rows a crash can leave in progress are aged
// past every lease), the jobs that settle them run through the queue, clients retry what they
// never got an answer to.
import { startMiniflare } from "../lib/miniflare.mjs";

/** Longer than every lease of the app: REFUND_INTENT_LEASE_MS, IDEMPOTENCY_LEASE_MS, STUCK_AFTER_MS, RELEASE_LEASE_MS. */
const AGE_MS = 60 * 60 * 1000;
const JOB_TIMEOUT_MS = 60_000;
const MAX_RETRY_RUNS = 5;

const AGING = [
  "UPDATE refunds SET created_at = created_at - ?1 WHERE gateway_refund_id IS NULL",
  "UPDATE idempotency_keys SET created_at = created_at - ?1 WHERE response_status IS NULL",
  "UPDATE payments SET created_at = created_at - ?1, updated_at = updated_at - ?1 WHERE status = 'processing'",
  "UPDATE escrows SET claimed_at = claimed_at - ?1 WHERE status = 'releasing'",
  "UPDATE escrows SET dispute_resolved_at = dispute_resolved_at - ?1 WHERE status = 'disputed' AND dispute_resolved_at IS NOT NULL",
];

/** Resolves with each scheduled job's outcome as the queue consumer logs it. */
function jobOutcomes() {
  const waiting = [];
  const onLog = ({ message }) => {
    let event;
    try {
      event = JSON.parse(message);
    } catch {
      return;
    }
    if (event.job_type === "job.run" && ["job_done", "job_retry", "job_dead_lettered"].includes(event.event)) waiting.shift()?.(event);
  };
  const next = () =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      setTimeout(() => reject(new Error(`no scheduled job finished within ${JOB_TIMEOUT_MS} ms`)), JOB_TIMEOUT_MS).unref();
    });
  return { onLog, next };
}

const didWork = (result) => Object.values(result ?? {}).some((value) => typeof value === "number" && value > 0);

export async function startRecoveryRuntime(runtime) {
  const outcomes = jobOutcomes();
  const { mf, url } = await startMiniflare(runtime, outcomes.onLog);
  return { mf, url, db: await mf.getD1Database("DB"), nextJobOutcome: outcomes.next };
}

/** Runs every recovery step; returns what each job reported and the answers to the clients' retries. */
export async function recover({ db, nextJobOutcome }, { client, adminToken, operations }) {
  for (const sql of AGING) await db.prepare(sql).bind(AGE_MS).run();

  async function runJob(name) {
    const outcome = nextJobOutcome();
    const res = await client.request("POST", `/api/admin/jobs/${name}/run/`, { token: adminToken });
    if (res.status !== 202) throw new Error(`${name}: expected 202, got ${res.status} ${JSON.stringify(res.body)}`);
    const event = await outcome;
    if (event.event !== "job_done") throw new Error(`${name}: ${event.event} ${event.error}`);
    return event.result;
  }

  const jobs = [];
  // Each run settles a batch; run again until a run finds nothing left to do.
  for (let run = 0; run < MAX_RETRY_RUNS; run++) {
    const result = await runJob("payment-retry");
    jobs.push({ job: "payment-retry", result });
    if (!didWork(result)) break;
  }
  // Releases a kill cut between the transfer and its record, and reversals owed for refunds after a release.
  for (let run = 0; run < MAX_RETRY_RUNS; run++) {
    const result = await runJob("escrow-release");
    jobs.push({ job: "escrow-release", result });
    if (!didWork(result)) break;
  }
  // Keys a kill left claimed without an answer: their retry reruns the operation the first request may have completed.
  const { results: abandoned } = await db.prepare("SELECT key FROM idempotency_keys WHERE response_status IS NULL").all();
  const abandonedKeys = new Set(abandoned.map((row) => row.key));
  const replays = await operations.replayUnanswered();
  for (const replay of replays.filter((r) => abandonedKeys.has(r.key))) {
    // Whether its answer is the one for what its first request did.
    const { results } = await db.prepare("SELECT id, status FROM payments WHERE order_id = ? ORDER BY created_at").bind(replay.order_id).all();
    replay.abandoned = { payments: results.map((p) => `${p.id} ${p.status}`).join(", ") || "none" };
  }
  jobs.push({ job: "token-cleanup", result: await runJob("token-cleanup") });
  return { jobs, replays };
}
