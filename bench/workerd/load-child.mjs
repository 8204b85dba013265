// autocannon in its own process (so the load generator's CPU is not the measured process's):
// reads one JSON spec from stdin, prints one JSON result. Per-request headers and bodies come as a
// list of variants, taken in turn across all connections.
import autocannon from "autocannon";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { url, method, headers, variants, connections, duration } = JSON.parse(input);
let next = 0;
const result = await autocannon({
  url,
  connections,
  duration,
  requests: [
    {
      method,
      headers,
      setupRequest: (req) => {
        if (!variants.length) return req;
        const v = variants[next++ % variants.length];
        return { ...req, ...(v.path ? { path: v.path } : {}), body: v.body, headers: { ...req.headers, ...v.headers } };
      },
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requests_per_s: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    total_requests: result.requests.total,
    duration_s: result.duration,
  }),
);
