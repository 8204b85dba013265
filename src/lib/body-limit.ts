import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { ApiError } from "./errors";

/**
 * Past the limit, the rest of a body is read and dropped up to this much before the 413 goes out:
 * a server that answers while the client is still sending resets the connection, and the client
 * never sees the answer. Bodies larger than this are cut off (the connection is reset).
 */
const MAX_DRAINED_BYTES = 16 * 1024 * 1024;

const tooLarge = (maxBytes: number) => new ApiError("payload_too_large", `Request body must be at most ${maxBytes} bytes.`);

/** Hono's bodyLimit, but the 413 reaches clients that stream a body (`Transfer-Encoding: chunked`) too. */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.header("Transfer-Encoding") ? NaN : Number(c.req.header("Content-Length"));
    if (declared <= maxBytes) return next();
    const reader = body.getReader();
    if (declared > MAX_DRAINED_BYTES) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await drain(reader, size);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
    const buffered = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      buffered.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: buffered });
    return next();
  };
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, size: number): Promise<void> {
  while (size <= MAX_DRAINED_BYTES) {
    const { done, value } = await reader.read();
    if (done) return;
    size += value.byteLength;
  }
  await reader.cancel();
}
