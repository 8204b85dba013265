import { eq, sql } from "drizzle-orm";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { users } from "../../drizzle/schema";
import { PASSWORD, db, unique } from "../helpers/factories";
import { BASE, call, uniqueIp } from "../helpers/http";

/** The JSON text is sent as written: `\\ud800` stays an escape the server decodes into a lone surrogate. */
const register = (json: string) =>
  call("POST", "/api/auth/register/", { body: json, headers: { "Content-Type": "application/json" }, ip: uniqueIp() });

const usersNamed = (username: string) => db().select().from(users).where(eq(users.username, username));

describe("malformed Unicode in a JSON body", () => {
  it("refuses a lone surrogate with 400 on its field and stores nothing", async () => {
    const username = unique("surrogate");
    const res = await register(`{"username":"${username}","password":"${PASSWORD}","first_name":"Ada\\ud800"}`);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(["first_name"]);
    expect(res.body.first_name).toEqual([expect.stringContaining("well-formed Unicode")]);
    expect(await usersNamed(username)).toEqual([]);
  });

  it("stores a valid surrogate pair (an emoji) as sent, counted as what is stored", async () => {
    const username = unique("emoji");
    const res = await register(`{"username":"${username}","password":"${PASSWORD}","first_name":"Ada \\ud83d\\ude00"}`);
    expect(res.status).toBe(201);
    const [row] = await db().select({ name: users.firstName, bytes: sql<number>`length(CAST(${users.firstName} AS BLOB))` }).from(users).where(eq(users.username, username));
    expect(row).toEqual({ name: "Ada 😀", bytes: 8 });
  });

  it("refuses a body that is not valid UTF-8 with 400 parse_error", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"username":"'), 0xff, 0xfe, ...new TextEncoder().encode('","password":"x"}')]);
    const response = await exports.default.fetch(
      new Request(`${BASE}/api/auth/register/`, { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": uniqueIp() }, body: bytes }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "parse_error" });
  });
});
