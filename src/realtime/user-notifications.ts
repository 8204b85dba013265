import { DurableObject } from "cloudflare:workers";
import { and, asc, eq, gt } from "drizzle-orm";
import { notifications } from "../../drizzle/schema";
import { createDb } from "../db/client";
import type { Bindings } from "../env";
import { logEvent } from "../lib/log";
import { toNotificationDto, type NotificationDto } from "../modules/notifications/notifications.schemas";

/** What a live socket receives for each notification: the inbox resource itself. */
export type PushMessage = NotificationDto;

/** Header the Worker sets after authenticating the caller; only the Worker can reach this object. */
export const USER_ID_HEADER = "X-User-Id";
/** A reconnect replays at most this many missed rows; older ones stay readable in the inbox API. */
export const MAX_REPLAY = 500;

const PING = '{"type":"ping"}';
const PONG = '{"type":"pong"}';

/** Kept on each socket (survives hibernation): pushes up to this id were already sent by the replay. */
interface SocketState {
  userId: number;
  replayedThrough: number;
}

/**
 * One instance per user (`idFromName(String(userId))`): holds that user's live WebSockets, all tabs
 * and devices. Uses the Hibernation API, so nothing lives only in memory: sockets come back from
 * `ctx.getWebSockets()` and their state from their attachment.
 */
export class UserNotifications extends DurableObject<Bindings> {
  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    // Answered by the runtime without waking the object. It matches only this exact text, so
    // webSocketMessage handles other spellings of a ping.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade.", { status: 426 });
    }
    const userId = Number(request.headers.get(USER_ID_HEADER));
    if (!Number.isSafeInteger(userId) || userId < 1) return new Response("Missing user.", { status: 400 });
    const sinceParam = new URL(request.url).searchParams.get("since");
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const state: SocketState = { userId, replayedThrough: 0 };
    server.serializeAttachment(state);
    server.send(JSON.stringify({ type: "connection_established" }));
    if (sinceParam !== null) {
      // Blocks pushes until the replay is sent, so missed rows arrive in order before new ones.
      await this.ctx.blockConcurrencyWhile(() => this.replay(server, state, Number(sinceParam)));
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  /** RPC from the push job: sends each notification to every live socket of this user. */
  async push(messages: PushMessage[]): Promise<number> {
    let delivered = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const { replayedThrough } = ws.deserializeAttachment() as SocketState;
      try {
        for (const message of messages) if (message.id > replayedThrough) ws.send(JSON.stringify(message));
        delivered++;
      } catch (error) {
        // A socket closing mid-send is not the push's failure; the inbox still has the row.
        logEvent("ws_send_failed", { error: String(error) });
      }
    }
    return delivered;
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") return;
    try {
      if ((JSON.parse(message) as { type?: unknown })?.type === "ping") ws.send(PONG);
    } catch {
      // Clients only send pings; anything else is ignored.
    }
  }

  /**
   * Completes the closing handshake by echoing the client's code. A browser's plain `close()` sends
   * no code, reported here as 1005, which may not be sent back: echoing it threw, the client heard
   * nothing, and browsers waited ~10 s before giving up with an unclean 1006.
   */
  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason);
    } catch {
      // Already closed (the runtime may have answered the close frame itself).
    }
  }

  async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    logEvent("ws_error", { user_id: (ws.deserializeAttachment() as SocketState | null)?.userId, error: String(error) });
  }

  /** Never throws: a failure inside blockConcurrencyWhile would reset the object and drop every socket. */
  private async replay(ws: WebSocket, state: SocketState, since: number): Promise<void> {
    try {
      const rows = await createDb(this.env)
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, state.userId), gt(notifications.id, since)))
        .orderBy(asc(notifications.id))
        .limit(MAX_REPLAY);
      for (const row of rows) ws.send(JSON.stringify(toNotificationDto(row)));
      ws.serializeAttachment({ ...state, replayedThrough: rows.at(-1)?.id ?? 0 } satisfies SocketState);
    } catch (error) {
      logEvent("ws_replay_failed", { user_id: state.userId, error: String(error) });
      ws.close(1011, "Could not replay missed notifications; reconnect.");
    }
  }
}
