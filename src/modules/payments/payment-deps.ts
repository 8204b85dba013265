import type { Context } from "hono";
import type { Db } from "../../db/client";
import { loadConfig, type AppEnv, type Bindings, type Config } from "../../env";
import type { Effects } from "../notifications/effects";
import type { Gateways } from "./gateways/gateway";
import { effectsOf } from "../notifications/effects";
import { createGateways } from "./gateways/registry";

/** What payment operations need; requests and jobs build it the same way. */
export interface PaymentDeps {
  db: Db;
  gateways: Gateways;
  effects: Effects;
}

/** One set per isolate and configuration: the Stripe client keeps its connection setup across requests. */
const gatewaysByConfig = new WeakMap<Config, Gateways>();

function gatewaysFor(config: Config): Gateways {
  let gateways = gatewaysByConfig.get(config);
  if (!gateways) {
    gateways = createGateways(config);
    gatewaysByConfig.set(config, gateways);
  }
  return gateways;
}

export function paymentDeps(env: Bindings, db: Db, effects: Effects): PaymentDeps {
  return { db, gateways: gatewaysFor(loadConfig(env)), effects };
}

/** The deps of one request: its database, the configured gateways, pushes that outlive the response. */
export const depsOf = (c: Context<AppEnv>) => paymentDeps(c.env, c.get("db"), effectsOf(c));
