// Over a real HTTP connection to the local runtime: a body streamed without a Content-Length
// (Transfer-Encoding: chunked) past the size limit gets the 413, not a reset connection.
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { baseUrl } from "./helpers";

/** POSTs `totalBytes` of JSON-ish text in 16 KiB chunks, as a streaming client would. */
function postChunked(path: string, totalBytes: number): Promise<{ status: number; body: string }> {
  const url = new URL(path, baseUrl());
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" } },
      (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    const chunk = "x".repeat(16 * 1024);
    let sent = 0;
    const write = () => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}

describe("request body limit over HTTP", () => {
  it("answers a 5 MB chunked body with 413 payload_too_large", async () => {
    const res = await postChunked("/api/auth/register/", 5 * 1024 * 1024);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).code).toBe("payload_too_large");
  });

  it("passes a chunked body under the limit on to the route (validation answers it)", async () => {
    const res = await postChunked("/api/auth/register/", 32 * 1024);
    expect(res.status).toBe(400);
  });
});
