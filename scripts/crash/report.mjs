// What the crash test prints; CI greps `kills:`, `requests in flight at kill:` and `violations:`.
const tally = (values) => Object.entries(Object.groupBy(values, (v) => v)).map(([k, v]) => `${k}: ${v.length}`).join(", ") || "none";

export function printReport({ seed, seconds, counts, keys, stats, leftByCrashes, jobs, replays, inFlightAtKills, violations }) {
  const abandoned = replays.filter((r) => r.abandoned);
  console.log(`data: ${counts.orders} orders, ${counts.payments} payments, ${counts.refunds} refunds, ${keys} idempotency keys; escrow: ${counts.released} released, ${counts.disputed} disputed, ${counts.ledger} ledger entries`);
  console.log(`responses: 2xx ${stats["2xx"]}, 4xx ${stats["4xx"]}, 5xx ${stats["5xx"]}; requests cut by a kill: ${stats.cut}`);
  console.log(`left by the crashes, before recovery: ${tally(leftByCrashes.map((v) => v.invariant))}`);
  for (const { job, result } of jobs) console.log(`recovery job ${job}: ${JSON.stringify(result)}`);
  console.log(`payments retried with their key after recovery: ${replays.length} (${tally(replays.map((r) => r.answer))})`);
  console.log(`  of which keys a kill left in progress: ${abandoned.length} (${tally(abandoned.map((r) => r.answer))})`);
  for (const r of abandoned) console.log(`    ${r.key}, order ${r.order_id}: ${r.answer}; the order's payments: ${r.abandoned.payments}`);
  console.log(`requests in flight at each kill: ${inFlightAtKills.join(" ")}`);
  console.log(`kills: ${inFlightAtKills.length}`);
  console.log(`requests in flight at kill: ${inFlightAtKills.reduce((a, b) => a + b, 0)}`);
  console.log(`violations: ${violations.length}`);
  for (const { invariant, row } of violations) console.log(`  violation: ${invariant}: ${JSON.stringify(row)}`);
  for (const failure of stats.failures) console.log(`  unexpected: ${failure}`);
  console.log(`seed: ${seed} (replay: npm run test:crash -- --seed ${seed}); ${seconds.toFixed(1)} s`);
}
