import { z } from "@hono/zod-openapi";

/** Every message on the JOBS queue. Unknown or malformed messages are dead-lettered, never crash a batch. */
export const jobMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("notifications.push"), eventId: z.string().min(1) }),
]);

export type JobMessage = z.infer<typeof jobMessageSchema>;
