import type { Context } from "hono";
import type { Db } from "../../db/client";
import { loadConfig, type AppEnv, type Bindings } from "../../env";
import type { Effects } from "../notifications/notification-events";
import type { Gateways } from "./gateways/gateway";
import { effectsOf } from "../notifications/request-effects";
import { createGateways } from "./gateways/registry";

/** What payment operations need; requests and jobs build it the same way. */
export interface PaymentDeps {
  db: Db;
  gateways: Gateways;
  effects: Effects;
}

export function paymentDeps(env: Bindings, db: Db, effects: Effects): PaymentDeps {
  return { db, gateways: createGateways(loadConfig(env)), effects };
}

/** The deps of one request: its database, the configured gateways, pushes that outlive the response. */
export const depsOf = (c: Context<AppEnv>) => paymentDeps(c.env, c.get("db"), effectsOf(c));
