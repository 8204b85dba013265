import { eq, sql } from "drizzle-orm";
import { orderMessages, orderStatusHistory, type OrderStatus } from "../../drizzle/schema";
import { createOrder, createUser, db, type TestUser } from "../helpers/factories";
import type { components } from "../../openapi/schema";
import { call } from "../helpers/http";
import type { Frame } from "../helpers/realtime";

/** A pushed (or inbox) `order_message`: the message as the recipient may see it. */
export type MessageData = { message: components["schemas"]["OrderMessage"] };
export type MessageFrame = Frame & { data: MessageData };

/** An order with an assigned worker, in `status` (paid by default). */
export async function assignedOrder(status: OrderStatus = "paid") {
  const worker = await createUser("worker");
  const order = await createOrder({ workerId: worker.id, status });
  return { order, client: order.client, worker };
}

export const messagesPath = (orderId: number, query: `?${string}` | "" = "") => `/api/orders/${orderId}/messages/${query}` as const;

export const post = (user: TestUser, orderId: number, body: unknown) =>
  call("POST", messagesPath(orderId), { token: user.token, body: typeof body === "string" ? { body } : body });

export const list = (user: TestUser, orderId: number, query: `?${string}` | "" = "") => call("GET", messagesPath(orderId, query), { token: user.token });

/** Follows a page's `next`/`previous` link (an absolute URL to the same conversation) as `user`. */
export function follow(user: TestUser, orderId: number, link: string | null) {
  if (!link) throw new Error("The page has no such link");
  const url = new URL(link);
  if (url.pathname !== messagesPath(orderId)) throw new Error(`A link to another path: ${link}`);
  return list(user, orderId, url.search as `?${string}`);
}

export const markRead = (user: TestUser, orderId: number, upTo: unknown) =>
  call("POST", `/api/orders/${orderId}/messages/read/`, { token: user.token, body: { up_to: upTo } });

/** `count` messages by `senderId` written in one statement (a recursive CTE), numbered "message 1".. */
export async function seedMessages(orderId: number, senderId: number, count: number) {
  await db().run(sql`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    INSERT INTO ${orderMessages} (order_id, sender_id, body, is_operator, created_at)
    SELECT ${orderId}, ${senderId}, 'message ' || i, 0, ${Date.now()} FROM n`);
}

/** Moves the order's history (its terminal entry included) `daysAgo` days into the past: the window counts from it. */
export async function endedDaysAgo(orderId: number, daysAgo: number) {
  await db()
    .update(orderStatusHistory)
    .set({ createdAt: new Date(Date.now() - daysAgo * 86_400_000) })
    .where(eq(orderStatusHistory.orderId, orderId));
}
