import { env } from "cloudflare:workers";
import { createContext, type AppContext, type Outbox } from "../../src/context";
import { createDb } from "../../src/db/client";
import type { Gateways } from "../../src/modules/payments/gateways/gateway";

/**
 * A context for calling services directly, as the queue consumer does. Work handed to the outbox's
 * waitUntil is collected, and `settled()` awaits it.
 */
export function testContext(overrides: { gateways?: Gateways; jobs?: Outbox["jobs"] } = {}): AppContext & { settled: () => Promise<unknown> } {
  const pending: Promise<unknown>[] = [];
  const base = createContext(env, createDb(env), "test", (promise) => void pending.push(promise));
  const ctx = Object.assign(base, {
    outbox: { ...base.outbox, jobs: overrides.jobs ?? base.outbox.jobs },
    settled: () => Promise.all(pending),
  });
  if (overrides.gateways) Object.defineProperty(ctx, "gateways", { value: overrides.gateways });
  return ctx;
}
