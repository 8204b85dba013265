import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/factories";
import { call, uniqueIp } from "../helpers/http";

/** Zod's own wording, which must never reach a client. */
const VALIDATOR_WORDING = /Too (small|big)|Invalid input|expected \w+, received|Invalid option/;

describe("validation messages", () => {
  it("are written for people and nest the errors of list items under their index", async () => {
    const worker = await createUser("worker");
    const res = await call("PATCH", "/api/workers/me/", { token: worker.token, body: { specializations: [1, "x", null], experience_years: -1 } });
    expect(res.status).toBe(400);
    expect(res.body.specializations).toEqual({ "1": [expect.any(String)], "2": ["This field may not be null."] });
    expect(res.body.experience_years).toEqual(["Ensure this value is greater than or equal to 0."]);
    expect(JSON.stringify(res.body)).not.toMatch(VALIDATOR_WORDING);
  });

  it("say what a body of the wrong shape should have been", async () => {
    const res = await call("POST", "/api/auth/login/", { body: [], ip: uniqueIp() });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ non_field_errors: ["Invalid data. Expected a dictionary, but got array."] });
  });

  it("name the limit a string broke", async () => {
    const res = await call("POST", "/api/auth/register/", { body: { username: "u".repeat(151), password: "x" }, ip: uniqueIp() });
    expect(res.status).toBe(400);
    expect(res.body.username).toEqual(["Ensure this field has no more than 150 characters."]);
  });
});
