import { describe, expect, it } from "vitest";
import { createService, createUser } from "../helpers/factories";
import { call } from "../helpers/http";

describe("Cache-Control on authenticated responses", () => {
  it("is private, no-store on every answer to a valid token, success or error, catalog or not", async () => {
    const owner = await createUser("worker");
    const service = await createService({ worker: owner });
    const answers = await Promise.all([
      call("GET", "/api/orders/", { token: owner.token }),
      call("GET", `/api/users/${owner.id}/`, { token: owner.token }),
      call("GET", "/api/notifications/", { token: owner.token }),
      call("GET", `/api/services/${service.id}/`, { token: owner.token }),
      call("GET", "/api/services/", { token: owner.token }),
      call("GET", "/api/orders/999999999/", { token: owner.token }),
      call("POST", "/api/orders/create/", { token: owner.token, body: {} }),
    ]);
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200, 404, 403]);
    for (const res of answers) expect(res.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("leaves anonymous catalog reads shareable", async () => {
    const service = await createService();
    const res = await call("GET", `/api/services/${service.id}/`);
    expect(res.headers.get("Cache-Control")).toContain("public");
  });
});
