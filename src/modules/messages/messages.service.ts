import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { notifications, orderMessageReads, orderMessages, orders, users } from "../../../drizzle/schema";
import type { AppContext } from "../../context";
import { abortUnlessChanged, isGuardFailure } from "../../db/guards";
import { rowsAffected } from "../../db/results";
import type { AuthUser } from "../../lib/auth-user";
import { conflict, notFound } from "../../lib/errors";
import { publicUserColumns } from "../accounts/user-columns";
import { schedulePush } from "../notifications/notification-events";
import { maskContacts } from "./contact-masking";
import { assertOpen, conversationState, inConversation, isPaid, lastReadIdOf, seesOriginal, unreadMessagesOf, type ConversationState } from "./conversation";
import { messageInboxInsert, readSyncInsert, MESSAGE_TYPE } from "./message-inbox";
import { DEFAULT_MESSAGE_PAGE, toMessageDto, type MessageDto, type MessagesQuery, type ReadStateDto } from "./messages.schemas";

const sender = alias(users, "message_sender");

/**
 * One page of the conversation, oldest first, in ONE query: the order row (which proves the caller
 * is in the conversation; none → 404) left-joined with at most page_size + 1 messages, a range of the
 * (order_id, id) index, plus whether messages exist on the other side of the cursor.
 * No cursor: the newest page. `after`: the page after that id. `before`: the page before it.
 */
export async function listMessages(ctx: AppContext, user: AuthUser, orderId: number, url: string, query: MessagesQuery) {
  const { db } = ctx;
  const size = query.page_size ?? DEFAULT_MESSAGE_PAGE;
  const forward = query.after !== undefined;
  const cursor = forward ? gt(orderMessages.id, query.after ?? 0) : query.before !== undefined ? lt(orderMessages.id, query.before) : undefined;
  const page = db
    .select({ id: orderMessages.id, senderId: orderMessages.senderId, body: orderMessages.body, isOperator: orderMessages.isOperator, createdAt: orderMessages.createdAt })
    .from(orderMessages)
    .where(and(eq(orderMessages.orderId, orderId), cursor))
    .orderBy(forward ? asc(orderMessages.id) : desc(orderMessages.id))
    .limit(size + 1)
    .as("page");
  // Messages on the other side of the cursor (there are none before `after=0` or after the newest page).
  const beyond =
    forward && query.after
      ? sql<number>`EXISTS (SELECT 1 FROM ${orderMessages} b WHERE b.order_id = ${orderId} AND b.id <= ${query.after})`
      : query.before !== undefined
        ? sql<number>`EXISTS (SELECT 1 FROM ${orderMessages} b WHERE b.order_id = ${orderId} AND b.id >= ${query.before})`
        : sql<number>`0`;
  const rows = await db
    .select({
      status: orders.status,
      beyond: beyond.mapWith(Boolean),
      id: page.id,
      senderId: page.senderId,
      body: page.body,
      isOperator: page.isOperator,
      createdAt: page.createdAt,
      sender: publicUserColumns(sender),
    })
    .from(orders)
    .leftJoin(page, sql`1`)
    .leftJoin(sender, eq(sender.id, page.senderId))
    .where(and(eq(orders.id, orderId), inConversation(user)))
    .orderBy(asc(page.id));
  if (!rows.length) throw notFound();
  const [{ status, beyond: more }] = rows;
  // The left join yields one row of nulls for an empty page.
  let messages = rows.flatMap(({ id, senderId, body, isOperator, createdAt, sender }) =>
    id !== null && senderId !== null && body !== null && isOperator !== null && createdAt !== null && sender
      ? [{ id, orderId, senderId, body, isOperator, createdAt, sender }]
      : [],
  );
  const full = messages.length > size;
  if (full) messages = forward ? messages.slice(0, size) : messages.slice(1);
  const results = messages.map((m) => toMessageDto(m, seesOriginal(user, m.senderId, status) ? m.body : maskContacts(m.body)));
  const link = (key: "after" | "before", id: number) => {
    const target = new URL(url);
    target.searchParams.delete("after");
    target.searchParams.delete("before");
    target.searchParams.set(key, String(id));
    return target.toString();
  };
  const first = results[0]?.id;
  const last = results.at(-1)?.id;
  const newer = forward ? full : more;
  const older = forward ? more : full;
  return {
    next: newer ? link("after", last ?? (query.before ?? 1) - 1) : null,
    previous: older ? link("before", first ?? (query.after ?? 0) + 1) : null,
    results,
  };
}

/** A new message's id inside its batch (the insert just before it is the newest of the order's). */
const newMessageId = (orderId: number) => sql`(SELECT max(id) FROM ${orderMessages} WHERE order_id = ${orderId})`;

const ATTEMPTS = 3;

/**
 * Posts a message. The insert is guarded on the order's status and worker as they were read, so the
 * recipients and what each may see are right; an order changed meanwhile is read again and retried.
 */
export async function postMessage(ctx: AppContext, user: AuthUser, orderId: number, body: string): Promise<MessageDto> {
  for (let attempt = 1; ; attempt++) {
    const state = await conversationState(ctx.db, user, orderId);
    assertOpen(state, ctx.config.messageWindowDays);
    try {
      return await writeMessage(ctx, user, orderId, state, body);
    } catch (error) {
      if (!isGuardFailure(error, "order")) throw error;
      if (attempt >= ATTEMPTS) throw conflict("The order kept changing meanwhile; send the message again.");
    }
  }
}

async function writeMessage(ctx: AppContext, user: AuthUser, orderId: number, state: ConversationState, body: string) {
  const { db, outbox } = ctx;
  const now = new Date();
  const isOperator = user.role === "admin";
  const { id: _, ...message } = toMessageDto({ id: 0, orderId, body, isOperator, createdAt: now, sender: state.sender });
  const participants = [...new Set([state.clientId, state.workerId, user.id].filter((id): id is number => id !== null))];
  // Participants are the client and the worker (admins only when they send): the other party sees
  // contact details masked until the order is paid.
  const deliveries = participants.map((userId) => ({
    userId,
    message: userId === user.id || isPaid(state.status) ? message : { ...message, body: maskContacts(body) },
  }));
  const eventId = crypto.randomUUID();
  const [[inserted]] = await db.batch([
    db
      .insert(orderMessages)
      .select(
        sql`SELECT NULL, ${orderId}, ${user.id}, ${body}, ${isOperator ? 1 : 0}, ${now.getTime()} FROM ${orders}
            WHERE ${orders.id} = ${orderId} AND ${orders.status} = ${state.status} AND ${orders.workerId} IS ${state.workerId}`,
      )
      .returning({ id: orderMessages.id }),
    abortUnlessChanged(db, "order"),
    messageInboxInsert(db, eventId, user.id, newMessageId(orderId), deliveries, now),
  ]);
  schedulePush(outbox, eventId);
  return { id: inserted.id, ...message };
}

/**
 * Moves the caller's read mark forward to `upTo` (clamped to the order's messages; never back), marks
 * the matching inbox rows read, and, if the mark moved, tells the caller's other tabs. One batch.
 */
export async function markMessagesRead(ctx: AppContext, user: AuthUser, orderId: number, upTo: number): Promise<ReadStateDto> {
  const { db, outbox } = ctx;
  await conversationState(db, user, orderId);
  const eventId = crypto.randomUUID();
  const lastRead = lastReadIdOf(user.id, orderId);
  const unread = unreadMessagesOf(user.id, orderId);
  const results = await db.batch([
    db
      .insert(orderMessageReads)
      .values({ orderId, userId: user.id, lastReadId: sql`(SELECT coalesce(max(id), 0) FROM ${orderMessages} WHERE order_id = ${orderId} AND id <= ${upTo})` })
      .onConflictDoUpdate({
        target: [orderMessageReads.orderId, orderMessageReads.userId],
        set: { lastReadId: sql`excluded.last_read_id` },
        setWhere: sql`excluded.last_read_id > ${orderMessageReads.lastReadId}`,
      }),
    readSyncInsert(db, eventId, user.id, orderId, lastRead, unread),
    db
      .update(notifications)
      .set({ read: true })
      .where(
        and(
          eq(notifications.userId, user.id),
          eq(notifications.orderId, orderId),
          eq(notifications.type, MESSAGE_TYPE),
          eq(notifications.read, false),
          sql`json_extract(${notifications.data}, '$.message.id') <= ${lastRead}`,
        ),
      ),
    db.select({ lastReadId: lastRead.mapWith(Number), unread }).from(orders).where(eq(orders.id, orderId)),
  ]);
  const [state] = results[3] as { lastReadId: number; unread: number }[];
  if (rowsAffected(results[1])) schedulePush(outbox, eventId);
  return { order_id: orderId, last_read_id: state.lastReadId, unread_messages: state.unread };
}
