// The one way the client talks to the API: JSON in and out, the access token in memory only,
// one refresh (with rotation) on a 401, errors that carry the server's request id, and the D1
// bookmark that makes every read after this client's first write see that write (and anything newer).
import type { Tokens, User } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown> | null,
    readonly requestId: string | null,
  ) {
    super(typeof body?.detail === "string" ? body.detail : `Request failed (${status}).`);
  }

  /** DRF-style field errors (`{"username": ["…"]}`), nested ones under dotted names (`specializations.1`); empty for `{detail, code}` errors. */
  get fieldErrors(): Record<string, string[]> {
    if (!this.body || "detail" in this.body) return {};
    return Object.fromEntries(flattenFieldErrors(this.body));
  }
}

function flattenFieldErrors(errors: Record<string, unknown>, prefix = ""): [string, string[]][] {
  return Object.entries(errors).flatMap(([name, value]): [string, string[]][] => {
    if (Array.isArray(value)) return [[prefix + name, value.map(String)]];
    return value && typeof value === "object" ? flattenFieldErrors(value as Record<string, unknown>, `${prefix}${name}.`) : [];
  });
}

interface Session {
  tokens: Tokens;
  user: User;
}

let session: Session | null = null;
let refreshing: Promise<boolean> | null = null;

const BOOKMARK_HEADER = "X-D1-Bookmark";
/**
 * The newest database state this client has seen, kept from its first write on. Before that it sends
 * none, so its anonymous catalog reads may come from the edge cache and the nearest read replica.
 */
let bookmark: string | null = null;

/** Bookmarks are fixed-width hex positions, so the greater string is the newer state (responses may arrive out of order). */
function remember(response: Response, method: string): Response {
  const latest = response.headers.get(BOOKMARK_HEADER);
  if (latest && (bookmark !== null || method !== "GET") && (bookmark === null || latest > bookmark)) bookmark = latest;
  return response;
}

const withBookmark = (headers: Record<string, string>): Record<string, string> =>
  bookmark ? { ...headers, [BOOKMARK_HEADER]: bookmark } : headers;

/** Fired on `window` when someone logs in or out (including a refresh token that stopped working). */
export const SESSION_EVENT = "session-changed";

export const currentUser = (): User | null => session?.user ?? null;

export function startSession(tokens: Tokens, user: User): void {
  session = { tokens, user };
  window.dispatchEvent(new Event(SESSION_EVENT));
}

export function endSession(): void {
  if (!session) return;
  session = null;
  window.dispatchEvent(new Event(SESSION_EVENT));
}

export const refreshToken = (): string | null => session?.tokens.refresh ?? null;

interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options);
  if (response.status === 401 && session && (await refreshOnce())) response = await send(path, options);
  const requestId = response.headers.get("X-Request-Id");
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401) endSession();
    throw new ApiError(response.status, body, requestId);
  }
  return body as T;
}

function send(path: string, { method = "GET", body, query, headers = {} }: RequestOptions): Promise<Response> {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== "") url.searchParams.set(key, String(value));
  const allHeaders: Record<string, string> = withBookmark({ Accept: "application/json", ...headers });
  if (body !== undefined) allHeaders["Content-Type"] = "application/json";
  if (session) allHeaders.Authorization = `Bearer ${session.tokens.access}`;
  const init = { method, headers: allHeaders, body: body === undefined ? undefined : JSON.stringify(body) };
  return fetch(url, init).then((response) => remember(response, method));
}

/** Concurrent 401s share one refresh: a rotated refresh token may be used only once. */
function refreshOnce(): Promise<boolean> {
  refreshing ??= refresh().finally(() => (refreshing = null));
  return refreshing;
}

async function refresh(): Promise<boolean> {
  const current = session;
  if (!current) return false;
  const response = remember(
    await fetch("/api/auth/refresh/", {
      method: "POST",
      headers: withBookmark({ "Content-Type": "application/json", Accept: "application/json" }),
      body: JSON.stringify({ refresh: current.tokens.refresh }),
    }),
    "POST",
  );
  if (!response.ok || session !== current) return false;
  current.tokens = (await response.json()) as Tokens;
  return true;
}

/** An access token that is valid for at least another 30 s (for the WebSocket handshake, which cannot be retried on a 401). */
export async function freshAccessToken(): Promise<string | null> {
  if (!session) return null;
  const [, payload = ""] = session.tokens.access.split(".");
  const { exp } = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: number };
  if (exp !== undefined && exp * 1000 - Date.now() < 30_000 && !(await refreshOnce())) {
    endSession();
    return null;
  }
  return session?.tokens.access ?? null;
}
