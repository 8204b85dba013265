// Live notifications: one WebSocket per signed-in tab that reconnects with backoff and catches up
// with `?since=<last id>`, a feed panel (aria-live), the unread count, and the inbox page.
import { api, currentUser, freshAccessToken, SESSION_EVENT, unwrap } from "./api";
import { dateTime, h, mount } from "./dom";
import { actionButton } from "./forms";
import { pageNumber, pager } from "./pager";
import { NOTIFICATION_EVENT, refresh, route } from "./router";
import type { Notification } from "./types";

const FEED_SIZE = 20;
const PING_EVERY_MS = 25_000;
/** The server's close code for the oldest socket of a user who opened too many. */
const CLOSED_AS_OLDEST = 4008;

let socket: WebSocket | null = null;
let lastId = 0;
let attempts = 0;
let reconnectTimer: number | undefined;
let pingTimer: number | undefined;
let unread = 0;
let feed: Notification[] = [];
/** Ids already shown: delivery is at least once, and a replay may overlap a live push. */
const seen = new Set<number>();

function setUnread(count: number): void {
  unread = Math.max(0, count);
  for (const badge of document.querySelectorAll<HTMLElement>("[data-unread]")) {
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  }
}

function setConnection(state: "live" | "connecting" | "offline"): void {
  const el = document.getElementById("feed-status");
  if (!el) return;
  el.dataset.state = state;
  el.textContent = { live: "Live", connecting: "Reconnecting…", offline: "Offline" }[state];
}

function renderFeed(): void {
  const list = document.getElementById("feed-list");
  if (!list) return;
  mount(
    list,
    ...feed.map((n) =>
      h(
        "li",
        { class: n.read ? "" : "unread", "data-type": n.notification_type ?? n.type },
        n.order_id !== null ? h("a", { href: `#/orders/${n.order_id}` }, n.message) : n.message,
        h("time", { datetime: n.created_at }, dateTime(n.created_at)),
      ),
    ),
  );
  if (!feed.length) list.append(h("li", { class: "muted" }, "Nothing yet. Updates appear here as they happen."));
}

/** The server marked inbox rows read (e.g. messages read in another tab): count again. */
async function recountUnread(): Promise<void> {
  const [recent, unreadPage] = await Promise.all([
    unwrap(api.GET("/api/notifications/", { params: { query: { page_size: FEED_SIZE } } })),
    unwrap(api.GET("/api/notifications/", { params: { query: { unread: true, page_size: 1 } } })),
  ]);
  const readNow = new Set(recent.results.filter((n) => n.read).map((n) => n.id));
  feed = feed.map((n) => (readNow.has(n.id) ? { ...n, read: true } : n));
  setUnread(unreadPage.count);
  renderFeed();
}

/** Read-state syncs between the user's own tabs; they are events, not news for the feed. */
const READ_SYNC = "order_messages_read";

function receive(n: Notification): void {
  if (seen.has(n.id)) return;
  seen.add(n.id);
  lastId = Math.max(lastId, n.id);
  if (n.type === READ_SYNC) void recountUnread().catch(() => undefined);
  else {
    feed = [n, ...feed].slice(0, FEED_SIZE);
    if (!n.read) setUnread(unread + 1);
    renderFeed();
  }
  window.dispatchEvent(new CustomEvent(NOTIFICATION_EVENT, { detail: n }));
}

async function connect(): Promise<void> {
  const token = await freshAccessToken();
  if (!token) return;
  setConnection("connecting");
  const url = new URL("/ws/notifications/", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("token", token);
  url.searchParams.set("since", String(lastId));
  const ws = new WebSocket(url);
  socket = ws;
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { type: string; id?: number };
    if (message.type === "connection_established") {
      attempts = 0;
      setConnection("live");
    } else if (typeof message.id === "number") receive(message as Notification);
  });
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return; // replaced or signed out
    socket = null;
    setConnection("offline");
    // Reconnecting would close the user's next oldest socket, and so on round the tabs; coming back
    // to this tab reconnects it (reconnectNow).
    if (event.code === CLOSED_AS_OLDEST) return;
    // 1 s, 2 s, 4 s … capped at 30 s, with jitter so many tabs don't reconnect in lockstep.
    const delay = Math.min(30_000, 1000 * 2 ** attempts++) * (0.75 + Math.random() / 2);
    reconnectTimer = window.setTimeout(() => void connect(), delay);
  });
}

function disconnect(): void {
  window.clearTimeout(reconnectTimer);
  const ws = socket;
  socket = null;
  ws?.close(1000, "signed out");
}

async function start(): Promise<void> {
  const [recent, unreadPage] = await Promise.all([
    unwrap(api.GET("/api/notifications/", { params: { query: { page_size: FEED_SIZE } } })),
    unwrap(api.GET("/api/notifications/", { params: { query: { unread: true, page_size: 1 } } })),
  ]);
  feed = recent.results;
  for (const n of feed) seen.add(n.id);
  lastId = feed.reduce((max, n) => Math.max(max, n.id), 0);
  setUnread(unreadPage.count);
  renderFeed();
  await connect();
}

/** Follows the session: connects after login, disconnects and forgets everything on logout. */
export function startNotifications(): void {
  window.addEventListener(SESSION_EVENT, () => {
    disconnect();
    feed = [];
    seen.clear();
    lastId = 0;
    attempts = 0;
    setUnread(0);
    if (currentUser()) void start().catch(() => setConnection("offline"));
  });
  if (pingTimer === undefined) pingTimer = window.setInterval(() => socket?.readyState === WebSocket.OPEN && socket.send('{"type":"ping"}'), PING_EVERY_MS);
  // Back online or back to the tab: reconnect now instead of waiting out the backoff.
  const reconnectNow = () => {
    if (currentUser() && !socket && document.visibilityState === "visible") {
      window.clearTimeout(reconnectTimer);
      void connect();
    }
  };
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", reconnectNow);
}

export async function markAllRead(): Promise<void> {
  await api.POST("/api/notifications/read-all/");
  feed = feed.map((n) => ({ ...n, read: true }));
  setUnread(0);
  renderFeed();
}

route(
  "/notifications",
  "Inbox",
  async ({ query, onNotification }) => {
    const page = await unwrap(api.GET("/api/notifications/", { params: { query: { page: pageNumber(query) } } }));
    onNotification(() => void refresh());
    const readOne = (n: Notification) => async () => {
      await api.POST("/api/notifications/{id}/read/", { params: { path: { id: n.id } } });
      setUnread(unread - 1);
      await refresh();
    };
    return h(
      "section",
      {},
      h("div", { class: "page-head" }, h("h1", {}, "Inbox"), actionButton("Mark all as read", async () => {
        await markAllRead();
        await refresh();
      })),
      page.results.length
        ? h(
            "ul",
            { class: "stack", "aria-label": "Notifications" },
            page.results.map((n) =>
              h(
                "li",
                { class: `card inbox-item${n.read ? "" : " unread"}` },
                h("p", {}, n.order_id !== null ? h("a", { href: `#/orders/${n.order_id}` }, n.message) : n.message),
                h("p", { class: "muted" }, dateTime(n.created_at), n.read ? " · read" : " · unread"),
                n.read ? null : actionButton("Mark as read", readOne(n)),
              ),
            ),
          )
        : h("p", { class: "empty" }, "Your inbox is empty."),
      pager(page, query, "#/notifications"),
    );
  },
  ["client", "worker", "admin"],
);
