import type { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { cacheSafely } from "./cache-safely";
import { hex } from "./crypto";
import { BOOKMARK_HEADER } from "./d1-bookmark";
import { setHeader } from "./response-headers";

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

/** The canonical path and query under a generation prefix no routed request can reach (so no client can poison it). */
async function cacheKey(origin: string, canonicalPath: string): Promise<string> {
  const generation = memo && memo.origin === origin && Date.now() < memo.until ? memo.generation : await readGeneration(origin);
  return `${origin}/__edge-cache/${generation}${canonicalPath}`;
}

/**
 * The path with only the query parameters the route's schema declares, in name order, and only if
 * they validate (repeated or invalid parameters → null: the request is not cached and the route's
 * validator answers it). Unknown parameters are dropped, so junk in the query string neither makes
 * a new cache entry nor reaches the answer (a list's next/previous links are built from this URL).
 */
function canonicalPath(url: URL, query: z.ZodObject | undefined): string | null {
  if (!query) return url.pathname;
  const known = Object.keys(query.shape).sort();
  const input: Record<string, string | string[]> = {};
  const params = new URLSearchParams();
  for (const name of known) {
    const values = url.searchParams.getAll(name);
    if (!values.length) continue;
    input[name] = values.length === 1 ? values[0] : values;
    for (const value of values) params.append(name, value);
  }
  if (!query.safeParse(input).success) return null;
  const search = params.toString();
  return search ? `${url.pathname}?${search}` : url.pathname;
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

/**
 * Cache fills in flight in this isolate, by key. A fill runs after the response has gone out
 * (waitUntil); a request for the same key meanwhile waits for it instead of missing, so a client's
 * repeat (and a burst of identical requests) is answered from the cache.
 */
const filling = new Map<string, Promise<unknown>>();

function fill(c: Context<AppEnv>, key: string, entry: Response): void {
  const put = safely("put", () => caches.default.put(key, entry)).finally(() => filling.delete(key));
  filling.set(key, put);
  c.executionCtx.waitUntil(put);
}

async function fromCache(c: Context<AppEnv>, key: string): Promise<Response | undefined> {
  await filling.get(key);
  const hit = await safely("match", () => caches.default.match(key));
  if (!hit?.body) return undefined;
  const headers = { "Content-Type": hit.headers.get("Content-Type") ?? "application/json", ETag: hit.headers.get("ETag") ?? "" };
  return c.body(hit.body, 200, { ...headers, "X-Cache": "HIT" });
}

/** Runs the handler; a 200 gets a strong ETag and, if shareable, a copy in this data center's cache (filled off the response path). */
async function fromHandler(c: Context<AppEnv>, next: () => Promise<void>, key: string | null): Promise<void> {
  await next();
  if (c.res.status !== 200) return;
  const body = await c.res.arrayBuffer();
  const etag = await strongEtag(body);
  c.res = new Response(body, c.res);
  setHeader(c, "ETag", etag);
  setHeader(c, "X-Cache", key ? "MISS" : "BYPASS");
  if (!key) return;
  // Only what every anonymous caller may see is stored: no CORS, request id or bookmark headers.
  const headers = { "Content-Type": c.res.headers.get("Content-Type") ?? "application/json", ETag: etag };
  fill(c, key, new Response(body, { headers: { ...headers, "Cache-Control": `max-age=${EDGE_TTL_SECONDS}` } }));
}

/** The cache key of a shared (anonymous, bookmark-free) read with a valid query; the request is rewritten to its canonical URL. */
async function sharedKey(c: Context<AppEnv>, query: z.ZodObject | undefined): Promise<string | null> {
  const url = new URL(c.req.url);
  const path = canonicalPath(url, query);
  if (path === null) return null;
  const canonical = `${url.origin}${path}`;
  if (canonical !== c.req.url) c.req.raw = new Request(canonical, c.req.raw);
  return cacheKey(url.origin, path);
}

/**
 * Route middleware for anonymous catalog reads: answers from the data center's Cache API when it
 * can, adds ETag/Cache-Control/Vary to every 200 and answers a matching If-None-Match with 304.
 * `query` is the route's query schema: the cache is keyed on its validated parameters only (see
 * canonicalPath); without one, on the path alone.
 * Requests with an Authorization header (owners and admins see inactive services) or a bookmark
 * (read-your-writes) always reach the handler and get a private, revalidate-every-time answer.
 */
export function edgeCached(query?: z.ZodObject): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const shared = !c.req.header("Authorization") && !c.req.header(BOOKMARK_HEADER);
    const key = shared ? await sharedKey(c, query) : null;
    const hit = key ? await fromCache(c, key) : undefined;
    if (hit) c.res = hit;
    else await fromHandler(c, next, key);
    if (c.res.status !== 200) return;
    setHeader(c, "Cache-Control", shared ? SHARED_CACHE_CONTROL : PRIVATE_CACHE_CONTROL);
    setHeader(c, "Vary", VARY);
    if (matchesEtag(c.req.header("If-None-Match"), c.res.headers.get("ETag"))) {
      await c.res.body?.cancel();
      c.res = new Response(null, { status: 304 });
    }
  };
}

/** OpenAPI entry for the 304 that edgeCached answers to a matching If-None-Match. */
export const notModifiedResponse = { 304: { description: "Not modified: If-None-Match matched the current ETag (no body)" } };

/** Route middleware for writes that change what catalog reads answer: a success purges this data center. */
export const invalidatesCatalog: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.res.ok) await bumpCatalogGeneration(new URL(c.req.url).origin);
};
