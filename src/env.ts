import { z } from "@hono/zod-openapi";
import type { UserSockets } from "./modules/notifications/user-sockets";
import type { JobMessage } from "./jobs/messages";

/** Bindings declared in wrangler.toml plus secrets from .dev.vars / `wrangler secret put`. */
export interface Bindings {
  DB: D1Database;
  USER_NOTIFICATIONS: DurableObjectNamespace<UserSockets>;
  JOBS: Queue<JobMessage>;
  ASSETS: Fetcher;
  LOGIN_USERNAME_LIMITER: RateLimit;
  AUTH_IP_LIMITER: RateLimit;
  ORDER_CREATE_LIMITER: RateLimit;
  MESSAGE_POST_LIMITER: RateLimit;
  ENVIRONMENT?: string;
  PAYMENT_GATEWAY?: string;
  ALLOWED_ORIGINS?: string;
  JWT_SECRET?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  ORDER_RETENTION_DAYS?: string;
  REVIEW_WINDOW_DAYS?: string;
  MESSAGE_WINDOW_DAYS?: string;
  EXPOSE_QUERY_COUNT?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_API_HOST?: string;
  STRIPE_API_PORT?: string;
  STRIPE_API_PROTOCOL?: string;
  PLATFORM_FEE_PERCENT?: string;
  PLATFORM_FEE_FIXED?: string;
  ESCROW_RELEASE_HOURS?: string;
  DISPUTE_ESCALATION_HOURS?: string;
  TURSO_DATABASE_URL?: string;
  TURSO_AUTH_TOKEN?: string;
}


const configSchema = z.object({
  // Unset means production: a deploy that forgot the variable gets the strict behaviour.
  environment: z.enum(["development", "test", "production"]).default("production"),
  paymentGateway: z.enum(["sandbox", "stripe"]).default("sandbox"),
  allowedOrigins: z.array(z.string()),
  jwtSecret: z.string().min(32, "JWT_SECRET must be at least 32 characters"),
  jwtIssuer: z.string().min(1),
  jwtAudience: z.string().min(1),
  orderRetentionDays: z.coerce.number().int().positive(),
  reviewWindowDays: z.coerce.number().int().positive(),
  /** Days a completed or canceled order's conversation still accepts messages. */
  messageWindowDays: z.coerce.number().int().nonnegative(),
  exposeQueryCount: z.boolean(),
  /** PLATFORM_FEE_PERCENT as basis points ("12.5" → 1250), fixed on an order when it is paid. */
  platformFeeBasisPoints: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,2})?$|^100$/, "PLATFORM_FEE_PERCENT must be a percentage between 0 and 100 with at most 2 decimals")
    .transform((v) => Math.round(Number(v) * 100)),
  /** PLATFORM_FEE_FIXED ("0.30") as cents, added to the percentage. */
  platformFeeFixedCents: z
    .string()
    .regex(/^\d{1,6}(\.\d{1,2})?$/, "PLATFORM_FEE_FIXED must be an amount with at most 2 decimals")
    .transform((v) => Math.round(Number(v) * 100)),
  escrowReleaseHours: z.coerce.number().int().nonnegative(),
  disputeEscalationHours: z.coerce.number().int().positive(),
  stripe: z
    .object({
      secretKey: z.string().min(1),
      webhookSecret: z.string().min(1),
      host: z.string().optional(),
      port: z.coerce.number().int().optional(),
      protocol: z.enum(["http", "https"]).optional(),
    })
    .optional(),
});

export type Config = z.infer<typeof configSchema>;

const cache = new WeakMap<object, Config>();

/**
 * Validates configuration once per env object (i.e. once per isolate in production).
 * A missing or malformed secret fails loudly here instead of deep inside a handler.
 */
export function loadConfig(env: Bindings): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const stripeConfigured = env.STRIPE_SECRET_KEY || env.PAYMENT_GATEWAY === "stripe";
  const parsed = configSchema.safeParse({
    environment: env.ENVIRONMENT || undefined,
    paymentGateway: env.PAYMENT_GATEWAY || undefined,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    jwtSecret: env.JWT_SECRET,
    jwtIssuer: env.JWT_ISSUER ?? "service-marketplace",
    jwtAudience: env.JWT_AUDIENCE ?? "service-marketplace-api",
    orderRetentionDays: env.ORDER_RETENTION_DAYS ?? "365",
    reviewWindowDays: env.REVIEW_WINDOW_DAYS ?? "14",
    messageWindowDays: env.MESSAGE_WINDOW_DAYS || "30",
    exposeQueryCount: env.EXPOSE_QUERY_COUNT === "true",
    platformFeeBasisPoints: env.PLATFORM_FEE_PERCENT || "10",
    platformFeeFixedCents: env.PLATFORM_FEE_FIXED || "0",
    escrowReleaseHours: env.ESCROW_RELEASE_HOURS || "72",
    disputeEscalationHours: env.DISPUTE_ESCALATION_HOURS || "48",
    stripe: stripeConfigured
      ? {
          secretKey: env.STRIPE_SECRET_KEY,
          webhookSecret: env.STRIPE_WEBHOOK_SECRET,
          host: env.STRIPE_API_HOST || undefined,
          port: env.STRIPE_API_PORT || undefined,
          protocol: env.STRIPE_API_PROTOCOL || undefined,
        }
      : undefined,
  });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${fields}`);
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
