import type { paths } from "../../openapi/schema";
import type { OpenApiDocument } from "./openapi-document";
import { exports } from "cloudflare:workers";

export const BASE = "http://127.0.0.1:8787";

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A distinct client IP per test keeps rate-limit counters of tests apart. */
  ip?: string;
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "HEAD";

type Segments<S extends string> = S extends `${infer Head}/${infer Tail}` ? [Head, ...Segments<Tail>] : [S];
/** Segment by segment: a `{param}` of the template matches any one segment of the URL. */
type SegmentsMatch<Url extends string[], Tpl extends string[]> = Url extends [infer U, ...infer UrlRest extends string[]]
  ? Tpl extends [infer T, ...infer TplRest extends string[]]
    ? T extends `{${string}}`
      ? SegmentsMatch<UrlRest, TplRest>
      : U extends T
        ? SegmentsMatch<UrlRest, TplRest>
        : false
    : false
  : Tpl extends []
    ? true
    : false;
type WithoutQuery<P extends string> = P extends `${infer Base}?${string}` ? Base : P;
/** The Worker answers a path without its trailing slash as the path with it. */
type Normalized<P extends string> = WithoutQuery<P> extends `${string}/` ? WithoutQuery<P> : `${WithoutQuery<P>}/`;
/** The document's path template a concrete URL (an exact path first, as the router matches) (a literal or template-literal type) belongs to. */
type Template<P extends string> = Normalized<P> extends keyof paths
  ? Normalized<P>
  : { [K in keyof paths & string]: SegmentsMatch<Segments<Normalized<P>>, Segments<K>> extends true ? K : never }[keyof paths & string];
type JsonOf<R> = R extends { content: { "application/json": infer J } } ? J : never;
type SuccessBody<Op> = Op extends { responses: infer R } ? { [S in keyof R]: S extends 200 | 201 | 202 ? JsonOf<R[S]> : never }[keyof R] : never;

/**
 * The body as the OpenAPI document declares the success response of the route the URL matches
 * (a literal or template-literal URL is matched against the document's path templates).
 */
type ResponseBody<M extends Method, P extends string> = P extends "/api/schema/"
  ? OpenApiDocument
  : OrUntyped<SuccessBody<paths[Template<P>][Lowercase<M> & keyof paths[Template<P>]]>>;
/** Error shapes, fields a test checks are absent, or a route the document lacks: unknown until checked. */
type OrUntyped<T> = [T] extends [never] ? Record<string, unknown> : T & Record<string, unknown>;

export interface CallResult<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends a request as a client over HTTP would, to whatever answers `fetch`; the body parsed as JSON when it is JSON. */
export function caller(fetch: (request: Request) => Promise<Response>) {
  return async <M extends Method, const P extends string, T = ResponseBody<M, P>>(method: M, path: P, options: CallOptions = {}): Promise<CallResult<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.ip) headers["CF-Connecting-IP"] = options.ip;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    const response = await fetch(new Request(`${BASE}${path}`, { method, headers, body }));
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* non-JSON body (HTML docs pages) stays text */
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
}

/** Drives the real Worker's fetch handler. */
export const call = caller((request) => exports.default.fetch(request));

let ipCounter = 0;
export const uniqueIp = () => `10.${Math.floor(Math.random() * 250)}.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;

/**
 * The rate limiters count in fixed 60 s windows aligned to the clock. A test that needs its attempts
 * to fall in one window starts after the next boundary when the current one has less than `needMs` left.
 */
export async function withinOneRateWindow(needMs = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}
