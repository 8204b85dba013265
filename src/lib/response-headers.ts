import type { Context } from "hono";

/**
 * Sets a header on the response a middleware is finishing. Hono's `c.header()` rebuilds the
 * Response on every call once a handler has answered (a copy of the body stream and every header,
 * each time); the headers of a Response the app built are mutable, so they are set in place, and
 * only an immutable one (a fetch() or Cache API response passed through) goes the copying way.
 */
export function setHeader(c: Context, name: string, value: string, append = false): void {
  try {
    if (append) c.res.headers.append(name, value);
    else c.res.headers.set(name, value);
  } catch {
    c.header(name, value, { append });
  }
}
