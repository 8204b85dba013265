// Bench-only Worker that measures D1 round trips without the app around them.
// - D1Recorder stands behind the `capture` copy of the app's DB binding: it forwards to the real D1
//   entry and keeps the queries of each round trip, so the exact SQL and parameters of a request
//   can be read back (GET /recorded).
// - POST /replay {roundTrips, n} runs those round trips n times through this Worker's own DB binding
//   (the same d1-api wrapper and D1 object as the app's), one after another.
// - POST /cache {bytes, n, miss} runs n times the Cache API calls of one catalog read (src/lib/edge-cache.ts):
//   one match of the entry (the catalog generation is kept in isolate memory) and, for a miss, a put
//   of a `bytes`-long entry (made off the response path, but in the same process).
import { WorkerEntrypoint } from "cloudflare:workers";

let recorded = [];

export class D1Recorder extends WorkerEntrypoint {
  #forward() {
    return this.env.D1_ENTRY;
  }
  async query(request) {
    recorded.push(request.queries);
    return this.#forward().query(request);
  }
  async fetch(request) {
    const body = await request.text();
    const queries = JSON.parse(body);
    recorded.push(Array.isArray(queries) ? queries : [queries]);
    return this.#forward().fetch(new Request(request, { body }));
  }
}

async function roundTrip(db, queries) {
  const statements = queries.map(({ sql, params }) => db.prepare(sql).bind(...(params ?? [])));
  if (statements.length === 1) await statements[0].raw();
  else await db.batch(statements);
}

async function cacheCalls(bytes, n, miss) {
  const cache = caches.default;
  const stored = (body) => new Response(body, { headers: { "Content-Type": "application/json", "Cache-Control": "max-age=60" } });
  const body = "x".repeat(bytes);
  await cache.put("https://bench.invalid/entry", stored(body));
  for (let i = 0; i < n; i++) {
    const key = miss ? `https://bench.invalid/${crypto.randomUUID()}` : "https://bench.invalid/entry";
    const hit = await cache.match(key);
    if (hit) await hit.arrayBuffer();
    else await cache.put(key, stored(body));
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/recorded") {
      const body = Response.json(recorded);
      recorded = [];
      return body;
    }
    if (pathname === "/replay" && request.method === "POST") {
      const { roundTrips, n } = await request.json();
      const started = Date.now();
      for (let i = 0; i < n; i++) for (const queries of roundTrips) await roundTrip(env.DB, queries);
      return Response.json({ n, elapsed_ms: Date.now() - started });
    }
    if (pathname === "/cache" && request.method === "POST") {
      const { bytes, n, miss } = await request.json();
      await cacheCalls(bytes, n, miss);
      return Response.json({ n });
    }
    return new Response("not found", { status: 404 });
  },
};
