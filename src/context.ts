import type { Context } from "hono";
import type { Db } from "./db/client";
import { loadConfig, type Bindings, type Config } from "./env";
import type { JobMessage } from "./jobs/messages";
import type { AuthUser } from "./lib/auth-user";
import type { Gateways } from "./modules/payments/gateways/gateway";
import { createGateways } from "./modules/payments/gateways/registry";

/** How a request or a job hands work on without waiting for it: queue messages, and pushes that may outlive the response. */
export interface Outbox {
  jobs: Queue<JobMessage>;
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * What every service gets: built once per request (requestContext) and once per queue batch (the
 * consumer), so a request and a job run the same code the same way.
 */
export interface AppContext {
  env: Bindings;
  config: Config;
  db: Db;
  /** The request's id, or the queue message batch's for jobs; it goes into every log line. */
  requestId: string;
  /** The authenticated caller; null for anonymous requests and for jobs. */
  actor: AuthUser | null;
  /** The payment gateways, built on first use and kept per isolate. */
  readonly gateways: Gateways;
  outbox: Outbox;
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

/** `db` may be given as a function: it is then opened on first use (a request that never queries opens no session). */
export function createContext(env: Bindings, db: Db | (() => Db), requestId: string, waitUntil: Outbox["waitUntil"]): AppContext {
  const config = loadConfig(env);
  let opened = typeof db === "function" ? undefined : db;
  const open = typeof db === "function" ? db : () => db;
  return {
    env,
    config,
    get db() {
      opened ??= open();
      return opened;
    },
    set db(value: Db) {
      opened = value;
    },
    requestId,
    actor: null,
    get gateways() {
      return gatewaysFor(config);
    },
    outbox: { jobs: env.JOBS, waitUntil },
  };
}

interface Variables {
  ctx: AppContext;
  /** Set when a token's account lookup failed (database down); protected routes rethrow it. */
  authLookupError?: unknown;
}

export type AppEnv = { Bindings: Bindings; Variables: Variables };

/** The context requestContext built for this request. */
export const ctxOf = (c: Context<AppEnv>): AppContext => c.get("ctx");
