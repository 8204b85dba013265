import { z } from "@hono/zod-openapi";
import type { notifications } from "../../../drizzle/schema";
import { paginationQuery } from "../../lib/pagination";
import { iso } from "../../lib/time";

export const notificationSchema = z
  .object({
    id: z.number().int(),
    type: z.string().openapi({ example: "status_update" }),
    notification_type: z.string().nullable().openapi({ example: "paid" }),
    order_id: z.number().int().nullable(),
    payment_id: z.string().nullable(),
    message: z.string().openapi({ example: "Order #12 is now paid." }),
    data: z.record(z.string(), z.unknown()),
    read: z.boolean(),
    created_at: z.string(),
  })
  .openapi("Notification");

/** The inbox resource; also the JSON a live socket receives for each push (so `id` lets clients dedupe). */
export type NotificationDto = z.infer<typeof notificationSchema>;

export const toNotificationDto = (row: typeof notifications.$inferSelect): NotificationDto => ({
  id: row.id,
  type: row.type,
  notification_type: row.notificationType,
  order_id: row.orderId,
  payment_id: row.paymentId,
  message: row.message,
  data: row.data,
  read: row.read,
  created_at: iso(row.createdAt),
});

export const inboxQuery = paginationQuery.extend({
  unread: z
    .enum(["true", "false"], { error: "Must be true or false." })
    .transform((v) => v === "true")
    .optional()
    .openapi({ type: "boolean", description: "true: only unread; false: only read" }),
});

export const readAllSchema = z
  .object({ updated: z.number().int().openapi({ description: "How many notifications were marked read" }) })
  .openapi("NotificationsReadAll");
