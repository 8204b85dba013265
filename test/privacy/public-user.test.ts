import { describe, expect, it } from "vitest";
import { createService, createUser, PASSWORD } from "../helpers/factories";
import { call, uniqueIp } from "../helpers/http";
import { loadDocument } from "../helpers/openapi-contract";
import type { JsonSchema } from "../helpers/openapi-document";
import { contractErrors, expectNoneOf, FULL_USER_KEYS, keysOf, PUBLIC_USER_KEYS, userWithContacts } from "./contacts";

type Shown = { username: string };
/** The public reads' bodies, as far as the test reads them. */
type Read = { results: { user: Shown; worker: Shown }[]; user: Shown; worker: Shown };

/** A worker with contact data who owns an active service, and the public reads that show them. */
async function listedOwner() {
  const owner = await userWithContacts("worker");
  const service = await createService({ worker: owner });
  const reads: [operationId: string, path: string, user: (body: Read) => Shown][] = [
    ["workers_list", `/api/workers/?service=${service.id}`, (b) => b.results[0].user],
    ["workers_retrieve", `/api/workers/${owner.profileId}/`, (b) => b.user],
    ["services_list", `/api/services/?worker=${owner.id}`, (b) => b.results[0].worker],
    ["services_retrieve", `/api/services/${service.id}/`, (b) => b.worker],
  ];
  return { owner, reads };
}

/** The schema a property refers to, also when a description wraps the reference in `allOf`. */
const refOf = (schema: JsonSchema) => schema.$ref ?? schema.allOf?.find((part) => part.$ref)?.$ref;

describe("public reads show the PublicUser view", () => {
  it("anonymous directory and catalog answers, fresh and from the edge cache, carry no email or phone", async () => {
    const { owner, reads } = await listedOwner();
    for (const [operationId, path, userOf] of reads) {
      for (const cache of ["MISS", "HIT"]) {
        const res = await call("GET", path);
        expect(res.status, path).toBe(200);
        expect(res.headers.get("X-Cache"), path).toBe(cache);
        expect(userOf(res.body as Read).username).toBe(owner.username);
        expect(keysOf(userOf(res.body as Read)), path).toEqual(PUBLIC_USER_KEYS);
        expectNoneOf(res.body, [owner.email, owner.phone]);
        expect(await contractErrors(operationId, 200, res.body), path).toEqual([]);
      }
    }
  });

  it("is the same view for every caller, the owner and admins included (the shape never depends on the token)", async () => {
    const { owner, reads } = await listedOwner();
    const admin = await createUser("admin");
    for (const caller of [owner, admin]) {
      for (const [, path, userOf] of reads) {
        const res = await call("GET", path, { token: caller.token });
        expect(keysOf(userOf(res.body as Read)), path).toEqual(PUBLIC_USER_KEYS);
        expectNoneOf(res.body, [owner.email, owner.phone]);
      }
    }
    const own = await call("GET", "/api/workers/me/", { token: owner.token });
    expect(keysOf(own.body.user)).toEqual(PUBLIC_USER_KEYS);
  });

  it("leaves the full profile to the user themselves and to admins", async () => {
    const { owner } = await listedOwner();
    const admin = await createUser("admin");
    for (const caller of [owner, admin]) {
      const res = await call("GET", `/api/users/${owner.id}/`, { token: caller.token });
      expect(res.body).toMatchObject({ email: owner.email, phone: owner.phone });
      expect(keysOf(res.body)).toEqual(FULL_USER_KEYS);
      expect(await contractErrors("users_retrieve", 200, res.body)).toEqual([]);
    }
    const login = await call("POST", "/api/auth/login/", { body: { username: owner.username, password: PASSWORD }, ip: uniqueIp() });
    expect(login.body.user).toMatchObject({ email: owner.email, phone: owner.phone });
  });

  it("documents PublicUser as the closed set of public fields, used by the catalog and the directory", async () => {
    const { components } = await loadDocument();
    const publicUser = components.schemas.PublicUser;
    expect(Object.keys(publicUser.properties!).sort()).toEqual(PUBLIC_USER_KEYS);
    expect(publicUser.additionalProperties).toBe(false);
    expect(refOf(components.schemas.Service.properties!.worker)).toBe("#/components/schemas/PublicUser");
    expect(refOf(components.schemas.WorkerProfile.properties!.user)).toBe("#/components/schemas/PublicUser");

    const { reads } = await listedOwner();
    const [operationId, path] = reads[3];
    const leaked = (await call("GET", path)).body as { worker: Record<string, unknown> };
    leaked.worker.email = "someone@example.com";
    expect(await contractErrors(operationId, 200, leaked)).toEqual(["$.worker: unexpected property email"]);
  });
});
