import { z } from "@hono/zod-openapi";
import { JOB_NAMES } from "./cron-table";

/** Every message on the JOBS queue. Unknown or malformed messages are dead-lettered, never crash a batch. */
export const jobMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("notifications.push"), eventId: z.string().min(1) }),
  /** One step of telling qualified workers about a new order: those with a user id above `after`. */
  z.object({ type: z.literal("orders.announce"), orderId: z.number().int().positive(), after: z.number().int().nonnegative() }),
  /** A scheduled job, from its Cron Trigger or from POST /api/admin/jobs/{name}/run/. */
  z.object({ type: z.literal("job.run"), name: z.enum(JOB_NAMES), requestedAt: z.number().int() }),
]);

export type JobMessage = z.infer<typeof jobMessageSchema>;
