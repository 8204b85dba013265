import type { Db } from "../db/client";
import type { Bindings } from "../env";
import type { Effects } from "../modules/notifications/effects";

/** What every job handler gets. */
export interface JobContext {
  env: Bindings;
  db: Db;
  /** How a job hands follow-up work (notification pushes) to the queue. */
  effects: Effects;
}
