import type { Bindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
      TEST_CRONS: string[];
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
