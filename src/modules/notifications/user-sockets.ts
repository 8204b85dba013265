import { logEvent } from "../../lib/log";
import type { NotificationDto } from "./notifications.schemas";

/**
 * What the Worker may ask a user's Durable Object (UserNotifications in src/realtime/) over RPC, besides the socket
 * upgrade (`fetch`). Declared apart from the class so the bindings' types don't import the class.
 */
export interface UserSockets extends Rpc.DurableObjectBranded {
  /** Sends each notification to every live socket of the user; resolves with the sockets reached. */
  push(messages: NotificationDto[]): Promise<number>;
  /** Closes every socket of the user with `code`; resolves with how many were open. */
  closeAll(code: number, reason: string): Promise<number>;
}

/** Close codes the server sends (documented in the README and the route's description). */
export const CloseCode = {
  /** Logout, a password or role change, or deactivation ended the user's sessions. */
  SESSION_ENDED: 4001,
  /** The access token the socket runs on expired and no fresh one came over it. */
  TOKEN_EXPIRED: 4002,
  /** The user opened more than MAX_SOCKETS_PER_USER sockets; this was the oldest. */
  TOO_MANY_SOCKETS: 4008,
} as const;

/** The object that holds `userId`'s sockets. */
export const notificationsStub = (namespace: DurableObjectNamespace<UserSockets>, userId: number) =>
  namespace.get(namespace.idFromName(String(userId)));

/**
 * Closes every socket of a user whose session just ended. Never throws: the change that ended the
 * session is already committed, and the sockets still close when their tokens expire.
 */
export async function endUserSockets(namespace: DurableObjectNamespace<UserSockets>, userId: number, reason: string) {
  try {
    await notificationsStub(namespace, userId).closeAll(CloseCode.SESSION_ENDED, reason);
  } catch (error) {
    logEvent("ws_close_all_failed", { user_id: userId, error: String(error) });
  }
}

