// Bench-only Worker that measures D1 round trips without the app around them.
// - D1Recorder stands behind the `capture` copy of the app's DB binding: it forwards to the real D1
//   entry and keeps the queries of each round trip, so the exact SQL and parameters of a request
//   can be read back (GET /recorded).
// - POST /replay {roundTrips, n} runs those round trips n times through this Worker's own DB binding
//   (the same d1-api wrapper and D1 object as the app's), one after another.
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
    return new Response("not found", { status: 404 });
  },
};
