import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { orders, workerProfiles, workerSpecializations } from "../../drizzle/schema";
import { autoAssignOrders } from "../../src/modules/orders/auto-assign";
import { testContext } from "../helpers/context";
import { call } from "../helpers/http";
import { createOrder, createService, createUser, db } from "../helpers/factories";

// Storage is per test file: the workers created here are all the workers auto-assign can choose from.
async function ratedWorker(ratingHundredths: number, reviewsCount: number, onlyServiceId?: number) {
  const user = await createUser("worker");
  await db().update(workerProfiles).set({ ratingHundredths, reviewsCount }).where(eq(workerProfiles.userId, user.id));
  if (onlyServiceId) await db().insert(workerSpecializations).values({ workerProfileId: user.profileId!, serviceId: onlyServiceId });
  return user;
}

describe("ranking by rating uses a Bayesian average", () => {
  it("?ordering=-rating puts a hundred 4.9s above one 5-star review, and a newcomer between a good and a bad record", async () => {
    const service = await createService({ worker: await ratedWorker(0, 0) });
    const oneFive = await ratedWorker(500, 1, service.id);
    const hundred = await ratedWorker(490, 100, service.id);
    const newcomer = await ratedWorker(0, 0, service.id);
    const poor = await ratedWorker(200, 10, service.id);
    const ids = (res: { body: { results: { id: number }[] } }) => res.body.results.map((w) => w.id);
    const ranked = await call("GET", `/api/workers/?service=${service.id}&ordering=-rating`);
    const expected = [hundred, oneFive, newcomer, poor].map((w) => w.profileId);
    expect(ids(ranked).filter((id) => expected.includes(id))).toEqual(expected);
    const ascending = await call("GET", `/api/workers/?service=${service.id}&ordering=rating`);
    expect(ids(ascending).filter((id) => expected.includes(id))).toEqual([...expected].reverse());
    // The displayed rating stays the plain average.
    expect(ranked.body.results.find((w) => w.id === oneFive.profileId)?.rating).toBe("5.00");
  });

  it("auto-assign's tie-break picks the better score, not the higher average", async () => {
    const owner = await createUser("worker");
    await db().update(workerProfiles).set({ isAvailable: false }).where(eq(workerProfiles.userId, owner.id));
    // Everyone from the first test specialised in its service only; these two qualify for any service.
    const oneFive = await ratedWorker(500, 1);
    const hundred = await ratedWorker(490, 100);
    const service = await createService({ worker: owner });
    const order = await createOrder({ service });
    await autoAssignOrders(testContext());
    const [row] = await db().select().from(orders).where(eq(orders.id, order.id));
    expect(row.workerId).toBe(hundred.id);
    expect(row.workerId).not.toBe(oneFive.id);
  });
});
