import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { workerProfiles } from "../../drizzle/schema";
import { call } from "../helpers/http";
import { createCategory, createService, createUser, db } from "../helpers/factories";

describe("worker directory", () => {
  it("lists profiles with user and specializations in one round trip, filtered and ordered", async () => {
    const category = await createCategory();
    const owner = await createUser("worker");
    const service = await createService({ worker: owner, categoryId: category.id });
    const specialist = await createUser("worker");
    await db().update(workerProfiles).set({ ratingHundredths: 480 }).where(eq(workerProfiles.userId, specialist.id));
    await call("PATCH", "/api/workers/me/", { token: specialist.token, body: { specializations: [service.id] } });
    const unrelated = await createUser("worker");

    const res = await call("GET", `/api/workers/?service=${service.id}&ordering=-rating`);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-DB-Queries")).toBe("1");
    const ids = res.body.results.map((p: { user: { id: number } }) => p.user.id);
    expect(ids).toEqual([specialist.id, owner.id]);
    expect(ids).not.toContain(unrelated.id);
    expect(res.body.results[0]).toMatchObject({ rating: "4.80", specializations: [service.id], is_available: true });

    const byCategory = await call("GET", `/api/workers/?category=${category.id}&min_rating=4.5`);
    expect(byCategory.body.results.map((p: { user: { id: number } }) => p.user.id)).toEqual([specialist.id]);
  });

  it("filters by availability and rejects bad filters", async () => {
    const busy = await createUser("worker");
    await call("PATCH", "/api/workers/me/", { token: busy.token, body: { is_available: false } });
    const res = await call("GET", "/api/workers/?available=true&page_size=100");
    expect(res.body.results.map((p: { user: { id: number } }) => p.user.id)).not.toContain(busy.id);
    for (const q of ["service=abc", "min_rating=9", "available=yes", "ordering=password", "page=0"]) {
      expect((await call("GET", `/api/workers/?${q}`)).status).toBe(400);
    }
  });

  it("shows one profile by profile id and 404s for unknown ids", async () => {
    const worker = await createUser("worker");
    const res = await call("GET", `/api/workers/${worker.profileId}/`);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(worker.id);
    expect((await call("GET", "/api/workers/999999/")).status).toBe(404);
  });
});

describe("/api/workers/me/", () => {
  it("lets a worker edit their profile but never their rating", async () => {
    const worker = await createUser("worker");
    const res = await call("PATCH", "/api/workers/me/", {
      token: worker.token,
      body: { bio: "Plumber", experience_years: 7, hourly_rate: "45.5", rating: "5.00", reviews_count: 99 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ bio: "Plumber", experience_years: 7, hourly_rate: "45.50", rating: "0.00", reviews_count: 0 });
    expect((await call("GET", "/api/workers/me/", { token: worker.token })).body.bio).toBe("Plumber");
  });

  it("validates input", async () => {
    const worker = await createUser("worker");
    for (const body of [{ experience_years: -1 }, { hourly_rate: "1.234" }, { hourly_rate: -5 }, { specializations: [999999] }]) {
      const res = await call("PATCH", "/api/workers/me/", { token: worker.token, body });
      expect(res.status).toBe(400);
    }
  });

  it("takes as many specializations as the schema allows (100) without exceeding D1's bound-parameter limit", async () => {
    const worker = await createUser("worker");
    const categoryId = (await createCategory()).id;
    const wanted: number[] = [];
    for (let i = 0; i < 100; i++) wanted.push((await createService({ worker, categoryId })).id);
    const res = await call("PATCH", "/api/workers/me/", { token: worker.token, body: { specializations: wanted } });
    expect(res.status).toBe(200);
    expect(res.body.specializations).toEqual([...wanted].sort((a, b) => a - b));
    const unknown = await call("PATCH", "/api/workers/me/", { token: worker.token, body: { specializations: [...wanted.slice(1), 999999999] } });
    expect(unknown.status).toBe(400);
    expect((await call("GET", "/api/workers/me/", { token: worker.token })).body.specializations).toHaveLength(100);
  });

  it("is for workers only", async () => {
    expect((await call("GET", "/api/workers/me/")).status).toBe(401);
    const client = await createUser();
    expect((await call("GET", "/api/workers/me/", { token: client.token })).status).toBe(403);
    expect((await call("PATCH", "/api/workers/me/", { token: client.token, body: { bio: 1 } })).status).toBe(403);
  });
});
