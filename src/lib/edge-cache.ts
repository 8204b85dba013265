import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { cacheSafely } from "./cache-safely";
import { hex } from "./crypto";
import { BOOKMARK_HEADER } from "./d1-bookmark";

/**
 * How long a data center (and a browser) may reuse an anonymous catalog answer. A write purges the
 * writer's data center at once; other data centers may serve the previous answer for up to this long.
 */
export const EDGE_TTL_SECONDS = 30;

const SHARED_CACHE_CONTROL = `public, max-age=${EDGE_TTL_SECONDS}, stale-while-revalidate=${EDGE_TTL_SECONDS}`;
const PRIVATE_CACHE_CONTROL = "private, no-cache";
// Browsers must not reuse an anonymous answer for a request that carries a token or a bookmark.
const VARY = `Authorization, ${BOOKMARK_HEADER}`;
const GENERATION_TTL_SECONDS = 86_400;
/**
 * How long an isolate reuses the generation it read last instead of reading it from the Cache API
 * on every request (that read cost more than the rest of a cache hit). A write in this isolate
 * switches it at once; other isolates of the data center follow within this much.
 */
const GENERATION_MEMO_MS = 2_000;

let memo: { origin: string; generation: string; until: number } | undefined;
const remember = (origin: string, generation: string) => {
  memo = { origin, generation, until: Date.now() + GENERATION_MEMO_MS };
  return generation;
};

/**
 * The catalog generation lives in the Cache API itself: every isolate of a data center reads it
 * locally, with no D1 round trip. A write replaces it, so every older entry becomes unreachable; if it
 * is evicted, a fresh one is made, which is also safe (everything misses once).
 */
const generationKey = (origin: string) => `${origin}/__edge-cache/catalog-generation`;

/** Cache failures are misses: correctness never depends on the cache. */
const safely = <T>(operation: string, run: () => Promise<T>) => cacheSafely("edge_cache_error", operation, run);

/** Makes every cached catalog answer of this data center unreachable. Called after a catalog write. */
async function bumpCatalogGeneration(origin: string): Promise<string> {
  const generation = crypto.randomUUID();
  const entry = new Response(generation, { headers: { "Cache-Control": `max-age=${GENERATION_TTL_SECONDS}` } });
  await safely("bump", () => caches.default.put(generationKey(origin), entry));
  return remember(origin, generation);
}

/** The request URL under a generation prefix no routed request can reach (so no client can poison it). */
async function cacheKey(requestUrl: string): Promise<string> {
  const url = new URL(requestUrl);
  const generation = memo && memo.origin === url.origin && Date.now() < memo.until ? memo.generation : await readGeneration(url.origin);
  return `${url.origin}/__edge-cache/${generation}${url.pathname}${url.search}`;
}

async function readGeneration(origin: string): Promise<string> {
  const stored = await safely("generation", () => caches.default.match(generationKey(origin)));
  return stored ? remember(origin, await stored.text()) : bumpCatalogGeneration(origin);
}

async function strongEtag(body: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return `"${hex(digest.subarray(0, 16))}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2). */
function matchesEtag(ifNoneMatch: string | undefined, etag: string | null): boolean {
  if (!ifNoneMatch || !etag) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const candidate = tag.trim().replace(/^W\//, "");
    return candidate === "*" || candidate === etag;
  });
}

async function fromCache(c: Context<AppEnv>, key: string): Promise<Response | undefined> {
  const hit = await safely("match", () => caches.default.match(key));
  if (!hit) return undefined;
  const headers = { "Content-Type": hit.headers.get("Content-Type") ?? "application/json", ETag: hit.headers.get("ETag") ?? "" };
  return c.body(await hit.arrayBuffer(), 200, { ...headers, "X-Cache": "HIT" });
}

/** Runs the handler; a 200 gets a strong ETag and, if shareable, a copy in this data center's cache. */
async function fromHandler(c: Context<AppEnv>, next: () => Promise<void>, key: string | null): Promise<void> {
  await next();
  if (c.res.status !== 200) return;
  const body = await c.res.arrayBuffer();
  const etag = await strongEtag(body);
  c.res = new Response(body, c.res);
  c.header("ETag", etag);
  c.header("X-Cache", key ? "MISS" : "BYPASS");
  if (!key) return;
  // Only what every anonymous caller may see is stored: no CORS, request id or bookmark headers.
  const headers = { "Content-Type": c.res.headers.get("Content-Type") ?? "application/json", ETag: etag };
  const copy = new Response(body, { headers: { ...headers, "Cache-Control": `max-age=${EDGE_TTL_SECONDS}` } });
  // Awaited (a local write) so that a request that follows this one in the same data center finds it.
  await safely("put", () => caches.default.put(key, copy));
}

/**
 * Route middleware for anonymous catalog reads: answers from the data center's Cache API when it
 * can, adds ETag/Cache-Control/Vary to every 200 and answers a matching If-None-Match with 304.
 * Requests with an Authorization header (owners and admins see inactive services) or a bookmark
 * (read-your-writes) always reach the handler and get a private, revalidate-every-time answer.
 */
export const edgeCached: MiddlewareHandler<AppEnv> = async (c, next) => {
  const shared = !c.req.header("Authorization") && !c.req.header(BOOKMARK_HEADER);
  const key = shared ? await cacheKey(c.req.url) : null;
  const hit = key ? await fromCache(c, key) : undefined;
  if (hit) c.res = hit;
  else await fromHandler(c, next, key);
  if (c.res.status !== 200) return;
  c.header("Cache-Control", shared ? SHARED_CACHE_CONTROL : PRIVATE_CACHE_CONTROL);
  c.header("Vary", VARY);
  if (matchesEtag(c.req.header("If-None-Match"), c.res.headers.get("ETag"))) {
    await c.res.body?.cancel();
    c.res = new Response(null, { status: 304 });
  }
};

/** OpenAPI entry for the 304 that edgeCached answers to a matching If-None-Match. */
export const notModifiedResponse = { 304: { description: "Not modified: If-None-Match matched the current ETag (no body)" } };

/** Route middleware for writes that change what catalog reads answer: a success purges this data center. */
export const invalidatesCatalog: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.res.ok) await bumpCatalogGeneration(new URL(c.req.url).origin);
};
