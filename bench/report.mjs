// Renders bench/results/*.md from the run's JSON report.
const row = (cells) => `| ${cells.join(" | ")} |`;

function bareWorkerd(report) {
  const w = report.workerd;
  return [
    `## Bare \`workerd serve\` (what production runs)`,
    ``,
    `The bundle on the workerd binary with a generated config: one socket straight to the Worker (no entry worker, no assets router), ${report.connections} connections from autocannon in its own process, ${report.duration_s}s per scenario.`,
    `CPU ms/request is workerd's CPU time (user + system, all threads, from /proc) over the load divided by the requests answered; it includes the D1, rate-limit and cache objects, which run in the same process here.`,
    `Startup (spawn → first successful response): ${w.startup_ms} ms.`,
    ``,
    row(["scenario", "req/s", "p50 ms", "p99 ms", "CPU ms/request", "CPU ratio to hello world", "D1 round trips", "edge cache", "errors"]),
    `|---|---:|---:|---:|---:|---:|---:|---|---:|`,
    ...w.scenarios.map((r) => row([r.name, r.requests_per_s, r.p50_ms, r.p99_ms, r.cpu_ms_per_request, r.cpu_ratio_to_hello, r.db_round_trips, r.cache, r.errors])),
    ``,
    `### SQL alone: the same D1 round trips replayed through the same D1 binding`,
    ``,
    `Recorded from one uncached request, then run ${report.sql_loops} times in a loop by a bench-only Worker; CPU per replay as above.`,
    ``,
    row(["request", "D1 round trips (statements)", "SQL CPU ms", "SQL elapsed ms", "request CPU ms", "request CPU minus SQL CPU ms", "… minus SQL and Cache API CPU ms"]),
    `|---|---:|---:|---:|---:|---:|---:|`,
    ...w.sql.map((s) =>
      row([s.name, `${s.round_trips} (${s.statements})`, s.cpu_ms_per_request, s.elapsed_ms_per_request, s.request_cpu_ms, s.request_minus_sql_cpu_ms, s.request_minus_sql_and_cache_cpu_ms]),
    ),
    ``,
    `### Order create at 10 vs 10,000 qualified workers`,
    ``,
    `A database seeded with that many available workers who qualify for every service (and 1,000 clients); the same order create load. The request writes the order, its history and the client's notification in one batch; the announcement to workers is one queue message (stubbed here), fanned out by the consumer in chunks.`,
    ``,
    row(["qualified workers", "req/s", "p50 ms", "p99 ms", "CPU ms/request", "D1 round trips", "errors"]),
    `|---:|---:|---:|---:|---:|---:|---:|`,
    ...(report.order_scale ?? []).map((r) => row([r.qualified_workers, r.requests_per_s, r.p50_ms, r.p99_ms, r.cpu_ms_per_request, r.db_round_trips, r.errors])),
    ``,
    `### Cache API alone`,
    ``,
    `The Cache API calls of one catalog read (one match, plus a put on a miss, made after the response), on an entry of the response's size, run ${report.sql_loops} times by the same bench-only Worker. Locally the cache is Miniflare's cache object in the same process; in production it is outside the Worker, so this CPU is not the Worker's there.`,
    ``,
    row(["calls of", "entry bytes", "Cache API CPU ms", "request CPU ms (hits)", "request minus Cache API CPU ms", "… ratio to hello world"]),
    `|---|---:|---:|---:|---:|---:|`,
    ...w.cache.map((c) => row([c.name, c.bytes, c.cpu_ms_per_request, c.request_cpu_ms ?? "-", c.request_minus_cache_cpu_ms ?? "-", c.minus_cache_ratio_to_hello ?? "-"])),
    ``,
    ...(w.profiles ?? []).flatMap(profile),
  ];
}

/** One scenario's CPU profile: the Worker isolate's busy time per request, by source (self time). */
function profile(p) {
  return [
    `### CPU profile: ${p.name}`,
    ``,
    `V8's sampling profiler on the app's isolate over the inspector (a workerd of its own, the same load), each sample mapped through the bundle's source map; self time, so a function's callees count for their own source. The isolate was busy ${p.isolate_busy_ms_per_request} ms per request (the whole process: ${p.process_cpu_ms_per_request} ms, the rest being the D1, cache and rate-limit objects and workerd itself).`,
    ``,
    row(["source", "share of the isolate's busy time", "µs per request"]),
    `|---|---:|---:|`,
    ...p.top.map((t) => row([t.source, `${(t.share * 100).toFixed(1)}%`, t.us_per_request])),
    ``,
    row(["function (source, name)", "share", "µs per request"]),
    `|---|---:|---:|`,
    ...(p.top_functions ?? []).map((t) => row([t.source, `${(t.share * 100).toFixed(1)}%`, t.us_per_request])),
    ``,
  ];
}

function miniflare(report) {
  return [
    `## Miniflare (local development runtime)`,
    ``,
    `The same bundle in Miniflare (one workerd with Miniflare's entry worker and assets router in front of the Worker), autocannon in the benchmark's own process. Useful for comparing runs, not for production numbers. Startup ${report.startup_ms} ms.`,
    ``,
    row(["scenario", "req/s", "p50 ms", "p99 ms", "ratio to baseline", "D1 round trips", "edge cache", "errors"]),
    `|---|---:|---:|---:|---:|---:|---|---:|`,
    ...report.scenarios.map((r) => row([r.name, r.requests_per_s, r.p50_ms, r.p99_ms, r.ratio_to_baseline, r.db_round_trips, r.cache, r.errors])),
    ``,
    `### Scale: service list and search at ${report.scale.map((s) => s.services).join(" vs ")} services (Miniflare)`,
    ``,
    row(["services", "scenario", "req/s", "p50 ms", "p99 ms", "ratio to baseline", "errors"]),
    `|---:|---|---:|---:|---:|---:|---:|`,
    ...report.scale.flatMap((s) => s.scenarios.map((r) => row([s.services, r.name, r.requests_per_s, r.p50_ms, r.p99_ms, r.ratio_to_baseline, r.errors]))),
    ``,
  ];
}

export function markdown(report) {
  const m = report.machine;
  return [
    `# Benchmark results`,
    ``,
    `${report.date} · ${m.cpu} × ${m.cores} cores, ${m.memory_gib} GiB · Node ${m.node}${report.smoke ? " · smoke run" : ""}`,
    ``,
    `Data: ${report.data.users} users, ${report.data.services} services in ${report.data.categories} categories, ${report.data.orders} orders.`,
    `Bundle: ${report.bundle.raw_kib} KiB raw, ${report.bundle.gzip_kib} KiB gzip.`,
    ``,
    ...bareWorkerd(report),
    ...miniflare(report),
  ].join("\n");
}
