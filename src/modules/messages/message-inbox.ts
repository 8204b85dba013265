import { sql, type SQL } from "drizzle-orm";
import { notifications } from "../../../drizzle/schema";
import type { Db } from "../../db/client";
import type { MessageDto } from "./messages.schemas";

/** Inbox `type`s of the conversation; pushed over the user's sockets like every inbox row. */
export const MESSAGE_TYPE = "order_message";
const READ_TYPE = "order_messages_read";

const PREVIEW = 80;
const preview = (body: string) => {
  const line = body.replace(/\s+/g, " ").trim();
  return line.length > PREVIEW ? `${line.slice(0, PREVIEW - 1)}…` : line;
};

export interface MessageDelivery {
  userId: number;
  /** The message as this recipient may see it (id filled in by the batch). */
  message: Omit<MessageDto, "id">;
}

/**
 * One inbox row per participant for a new message, with `data.message` as that participant may see
 * it; `messageId` is SQL that yields the new message's id inside the batch. The sender's own row is
 * already read: it exists so the sender's other tabs (and their replays) get the message too.
 */
export function messageInboxInsert(db: Db, eventId: string, senderId: number, messageId: SQL, deliveries: MessageDelivery[], now: Date) {
  return db.insert(notifications).values(
    deliveries.map(({ userId, message }) => ({
      userId,
      eventId,
      type: MESSAGE_TYPE,
      notificationType: null,
      orderId: message.order_id,
      message: `${message.sender.username} on order #${message.order_id}: ${preview(message.body)}`,
      // json_set: the id is only known inside the batch.
      data: sql`json_set(${JSON.stringify({ message })}, '$.message.id', ${messageId})`,
      read: userId === senderId,
      createdAt: now,
    })),
  );
}

/**
 * The reader's own (already read) inbox row saying how far they have read, so their other tabs sync;
 * written only if the statement right before moved the read mark (`changes() = 1`).
 */
export function readSyncInsert(db: Db, eventId: string, userId: number, orderId: number, lastReadId: SQL, unread: SQL) {
  return db.insert(notifications).select(sql`
    SELECT NULL, ${userId}, ${eventId}, ${READ_TYPE}, NULL, ${orderId}, NULL, ${`Messages of order #${orderId} read.`},
      json_object('order_id', ${orderId}, 'last_read_id', ${lastReadId}, 'unread_messages', ${unread}), 1, ${Date.now()}
    WHERE changes() = 1`);
}
