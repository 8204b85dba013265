import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Under vitest.turso.config.ts the Worker uses sqld, which test/turso/global-setup.ts migrated.
if (!env.TURSO_DATABASE_URL) await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
