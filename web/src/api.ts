// The one way the client talks to the API: an openapi-fetch client typed by the OpenAPI document, with
// middleware for the access token (in memory only, one refresh with rotation on a 401), errors that
// carry the server's request id, and the D1 bookmark that makes every read after this client's first
// write see that write (and anything newer).
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "../../openapi/schema";
import type { Tokens, User } from "./types";

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

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
    return isRecord(value) ? flattenFieldErrors(value, `${prefix}${name}.`) : [];
  });
}

interface Session {
  tokens: Tokens;
  user: User;
}

let session: Session | null = null;
let refreshing: Promise<boolean> | null = null;

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

const BOOKMARK_HEADER = "X-D1-Bookmark";
/**
 * The newest database state this client has seen, kept from its first write on. Before that it sends
 * none, so its anonymous catalog reads may come from the edge cache and the nearest read replica.
 */
let bookmark: string | null = null;

const withBookmark = (request: Request): Request => {
  if (bookmark) request.headers.set(BOOKMARK_HEADER, bookmark);
  return request;
};

/** Bookmarks are fixed-width hex positions, so the greater string is the newer state (responses may arrive out of order). */
const bookmarks: Middleware = {
  onRequest: ({ request }) => withBookmark(request),
  onResponse({ request, response }) {
    const latest = response.headers.get(BOOKMARK_HEADER);
    if (latest && (bookmark !== null || request.method !== "GET") && (bookmark === null || latest > bookmark)) bookmark = latest;
  },
};

/** Every response other than a 2xx rejects the call with an ApiError. */
const errors: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return;
    const body: unknown = await response.json().catch(() => null);
    throw new ApiError(response.status, isRecord(body) ? body : null, response.headers.get("X-Request-Id"));
  },
};

const REFRESH_PATH = "/api/auth/refresh/";
/** Bodies of signed-in requests as text: a Request's body can be read only once, and a retry sends it again. */
const bodies = new WeakMap<Request, string | null>();

const signed = (request: Request, body: string | null, access: string): Request => {
  const copy = new Request(request, { body });
  copy.headers.set("Authorization", `Bearer ${access}`);
  bodies.set(copy, body);
  return copy;
};

/** The access token on every request but the refresh itself; a 401 refreshes it once and sends the request again. */
const auth: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (!session || schemaPath === REFRESH_PATH) return;
    const { access } = session.tokens;
    return signed(request, request.body ? await request.text() : null, access);
  },
  async onResponse({ request, response }) {
    const body = bodies.get(request);
    if (body === undefined) return; // not signed in, or the refresh itself
    if (response.status === 401 && (await refreshOnce()) && session) {
      response = await fetch(withBookmark(signed(request, body, session.tokens.access)));
    }
    if (response.status === 401) endSession();
    return response;
  },
};

export const api = createClient<paths>({ headers: { Accept: "application/json" } });
// onResponse runs last to first: auth's retry, then the bookmark of the final response, then errors.
api.use(errors, bookmarks, auth);

/** The body of a successful call (the middleware has turned every other response into an ApiError). */
export async function unwrap<T>(call: Promise<{ data?: T }>): Promise<T> {
  const { data } = await call;
  if (data === undefined) throw new Error("The server sent an empty response.");
  return data;
}

/** Concurrent 401s share one refresh: a rotated refresh token may be used only once. */
function refreshOnce(): Promise<boolean> {
  refreshing ??= refresh().finally(() => (refreshing = null));
  return refreshing;
}

async function refresh(): Promise<boolean> {
  const current = session;
  if (!current) return false;
  try {
    const tokens = await unwrap(api.POST(REFRESH_PATH, { body: { refresh: current.tokens.refresh } }));
    if (session !== current) return false;
    current.tokens = tokens;
    return true;
  } catch (error) {
    if (error instanceof ApiError) return false;
    throw error;
  }
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
