import { DurableObject } from "cloudflare:workers";
import { and, asc, eq, gt } from "drizzle-orm";
import { notifications } from "../../drizzle/schema";
import { createDb } from "../db/client";
import { loadConfig, type Bindings } from "../env";
import { logEvent } from "../lib/log";
import { verifyAccessToken } from "../lib/tokens";
import { toNotificationDto, type NotificationDto } from "../modules/notifications/notifications.schemas";
import { CloseCode, type UserSockets } from "../modules/notifications/user-sockets";


/** Headers the Worker sets after authenticating the caller; only the Worker can reach this object. */
export const USER_ID_HEADER = "X-User-Id";
export const TOKEN_EXPIRES_HEADER = "X-Token-Expires-At";
/** A reconnect replays at most this many missed rows; older ones stay readable in the inbox API. */
const MAX_REPLAY = 500;
/** Open sockets per user (tabs and devices); one more closes the oldest. */
export const MAX_SOCKETS_PER_USER = 10;

const PING = '{"type":"ping"}';
const PONG = '{"type":"pong"}';
/** An access JWT is a few hundred bytes; anything much longer is not one. */
export const MAX_TOKEN_LENGTH = 4096;

/** Kept on each socket (survives hibernation). */
interface SocketState {
  userId: number;
  /** Pushes up to this id were already sent by the replay. */
  replayedThrough: number;
  /** Expiry of the newest access token the socket was opened with or sent (epoch seconds). */
  expiresAt: number;
  /** Orders sockets for the cap (epoch ms). */
  openedAt: number;
}

const stateOf = (ws: WebSocket) => ws.deserializeAttachment() as SocketState;
const isExpired = (state: SocketState) => state.expiresAt * 1000 <= Date.now();

function closeQuietly(ws: WebSocket, code: number, reason: string) {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing.
  }
}

/**
 * One instance per user (`idFromName(String(userId))`): holds that user's live WebSockets, all tabs
 * and devices. Uses the Hibernation API, so nothing lives only in memory: sockets come back from
 * `ctx.getWebSockets()` and their state from their attachment.
 */
export class UserNotifications extends DurableObject<Bindings> implements UserSockets {
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
    const expiresAt = Number(request.headers.get(TOKEN_EXPIRES_HEADER));
    if (!Number.isSafeInteger(expiresAt)) return new Response("Missing token expiry.", { status: 400 });
    const sinceParam = new URL(request.url).searchParams.get("since");
    this.closeOldestOverCap();
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const state: SocketState = { userId, replayedThrough: 0, expiresAt, openedAt: Date.now() };
    server.serializeAttachment(state);
    server.send(JSON.stringify({ type: "connection_established" }));
    if (sinceParam !== null) {
      // Blocks pushes until the replay is sent, so missed rows arrive in order before new ones.
      await this.ctx.blockConcurrencyWhile(() => this.replay(server, state, Number(sinceParam)));
    }
    await this.scheduleExpiry();
    return new Response(null, { status: 101, webSocket: client });
  }

  /** RPC from the push job: sends each notification to every live socket of this user. */
  async push(messages: NotificationDto[]): Promise<number> {
    let delivered = 0;
    for (const ws of this.openSockets()) {
      const state = stateOf(ws);
      // The alarm may run a little late; an expired socket gets nothing more.
      if (isExpired(state)) continue;
      const { replayedThrough } = state;
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

  /** RPC after logout, a password or role change, or deactivation: closes every socket of this user. */
  async closeAll(code: number, reason: string): Promise<number> {
    const sockets = this.openSockets();
    for (const ws of sockets) closeQuietly(ws, code, reason);
    await this.ctx.storage.deleteAlarm();
    return sockets.length;
  }

  /** Set for the earliest token expiry among open sockets: closes those whose token has expired. */
  async alarm(): Promise<void> {
    for (const ws of this.openSockets()) {
      if (isExpired(stateOf(ws))) closeQuietly(ws, CloseCode.TOKEN_EXPIRED, "Access token expired.");
    }
    await this.scheduleExpiry();
  }

  /** Understands `{"type":"ping"}` and `{"type":"auth","token":"<access JWT>"}`; anything else is ignored. */
  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") return;
    let parsed: { type?: unknown; token?: unknown };
    try {
      parsed = JSON.parse(message) ?? {};
    } catch {
      return;
    }
    if (parsed.type === "ping") ws.send(PONG);
    else if (parsed.type === "auth") await this.reauthenticate(ws, parsed.token);
  }

  /**
   * A fresh access token of the same user extends the socket's life to that token's expiry. Anything
   * else (invalid, expired, another user's) is answered with `auth_error` and changes nothing: the
   * socket keeps the expiry it had.
   */
  private async reauthenticate(ws: WebSocket, token: unknown): Promise<void> {
    const claims =
      typeof token === "string" && token.length <= MAX_TOKEN_LENGTH ? await verifyAccessToken(loadConfig(this.env), token) : null;
    const state = stateOf(ws);
    if (!claims || claims.userId !== state.userId) {
      ws.send(JSON.stringify({ type: "auth_error", detail: "Token is invalid, expired or not yours." }));
      return;
    }
    const expiresAt = Math.max(state.expiresAt, claims.expiresAt);
    ws.serializeAttachment({ ...state, expiresAt } satisfies SocketState);
    ws.send(JSON.stringify({ type: "auth_ok", exp: expiresAt }));
    await this.scheduleExpiry();
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

  /** Sockets that are neither closing nor closed (a socket we closed stays listed until the client answers). */
  private openSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.READY_STATE_OPEN);
  }

  private closeOldestOverCap() {
    const sockets = this.openSockets().sort((a, b) => stateOf(a).openedAt - stateOf(b).openedAt);
    for (const ws of sockets.slice(0, Math.max(0, sockets.length - MAX_SOCKETS_PER_USER + 1))) {
      closeQuietly(ws, CloseCode.TOO_MANY_SOCKETS, `At most ${MAX_SOCKETS_PER_USER} sockets per user; this was the oldest.`);
    }
  }

  /** One alarm per object, at the earliest expiry among open sockets (none left: no alarm). */
  private async scheduleExpiry(): Promise<void> {
    const expiries = this.openSockets().map((ws) => stateOf(ws).expiresAt);
    if (expiries.length) await this.ctx.storage.setAlarm(Math.min(...expiries) * 1000);
    else await this.ctx.storage.deleteAlarm();
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
