import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/** One instance per user: holds that user's live WebSockets (all tabs and devices). */
export class UserNotifications extends DurableObject<Bindings> {}
