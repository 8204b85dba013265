import { exports } from "cloudflare:workers";

export const BASE = "http://127.0.0.1:8787";

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A distinct client IP per test keeps rate-limit counters of tests apart. */
  ip?: string;
}

export interface CallResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Drives the real Worker's fetch handler, as a client over HTTP would. */
export async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.ip) headers["CF-Connecting-IP"] = options.ip;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* non-JSON body (HTML docs pages) stays text */
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

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
