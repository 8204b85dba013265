// An order's conversation on the order page: its messages (live over the notification socket, older
// pages on demand), a form to post, the caller's read mark (synced across their tabs), and the
// order's timeline, messages and status changes in one list.
import { api, currentUser, unwrap } from "./api";
import { dateTime, field, h, mount, statusBadge } from "./dom";
import { actionButton, form } from "./forms";
import type { Notification, Order, OrderMessage, OrderStatusEntry } from "./types";

const personName = (u: { first_name: string; username: string }) => u.first_name || u.username;
const beforeCursor = (link: string | null) => (link ? Number(new URL(link).searchParams.get("before")) : null);

/** The message a push carries (`data.message`), if the push is a message of this order. */
function pushedMessage(n: Notification, orderId: number): OrderMessage | null {
  if (n.type !== "order_message" || n.order_id !== orderId) return null;
  const message = (n.data as { message?: OrderMessage }).message;
  return message && typeof message.id === "number" ? message : null;
}

export function conversation(order: Order, onNotification: (handler: (n: Notification) => void) => void): HTMLElement {
  const me = currentUser();
  const messages = new Map<number, OrderMessage>();
  let olderThan: number | null = null;
  let lastRead = 0;
  let withStatus = false;

  const list = h("ol", { class: "conversation", "aria-label": "Conversation", "aria-live": "polite" });
  const older = h("div", { class: "older" });
  const state = h("p", { class: "muted", "data-unread-messages": "0" });

  const unreadCount = () => [...messages.values()].filter((m) => m.id > lastRead && m.sender.id !== me?.id).length;

  function messageItem(m: OrderMessage): HTMLElement {
    const mine = m.sender.id === me?.id;
    const unread = !mine && m.id > lastRead;
    return h(
      "li",
      { class: `message${mine ? " mine" : ""}${unread ? " unread" : ""}`, "data-message-id": m.id },
      h("p", { class: "message-meta" }, h("strong", {}, personName(m.sender)), m.is_operator ? h("span", { class: "badge operator" }, "operator") : null, ` · ${dateTime(m.created_at)}`),
      // Text, never markup: h() appends strings as text nodes.
      h("p", { class: "message-body" }, m.body),
    );
  }

  const statusItem = (entry: OrderStatusEntry) =>
    h("li", { class: "status-change" }, statusBadge(entry.status), ` ${dateTime(entry.created_at)} · ${entry.created_by ? personName(entry.created_by) : "system"}`, entry.comment ? h("q", {}, entry.comment) : null);

  function render(): void {
    const sorted = [...messages.values()].sort((a, b) => a.id - b.id);
    const items: [time: string, order: number, node: HTMLElement][] = sorted.map((m) => [m.created_at, 1, messageItem(m)]);
    if (withStatus) {
      // Status changes since the oldest message shown (all of them once the whole conversation is loaded).
      const from = olderThan === null ? "" : (sorted[0]?.created_at ?? "");
      for (const entry of order.status_history) if (entry.created_at >= from) items.push([entry.created_at, 0, statusItem(entry)]);
    }
    items.sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
    mount(list, ...items.map(([, , node]) => node));
    if (!items.length) list.append(h("li", { class: "muted empty-conversation" }, "No messages yet. Ask a question or share details here."));
    const unread = unreadCount();
    state.dataset.unreadMessages = String(unread);
    state.textContent = unread ? `${unread} unread` : "All read";
    mount(older, olderThan !== null ? actionButton("Load earlier messages", loadOlder) : null);
  }

  function add(page: OrderMessage[]): void {
    for (const m of page) messages.set(m.id, m);
  }

  /** Tells the server (and so the reader's other tabs) how far this tab has shown the conversation. */
  async function markRead(): Promise<void> {
    const newest = Math.max(0, ...[...messages.values()].filter((m) => m.sender.id !== me?.id).map((m) => m.id));
    if (newest <= lastRead || document.visibilityState !== "visible" || !list.isConnected) return;
    const read = await unwrap(api.POST("/api/orders/{id}/messages/read/", { params: { path: { id: order.id } }, body: { up_to: newest } }));
    lastRead = Math.max(lastRead, read.last_read_id);
    render();
  }

  async function loadOlder(): Promise<void> {
    if (olderThan === null) return;
    const page = await unwrap(api.GET("/api/orders/{id}/messages/", { params: { path: { id: order.id }, query: { before: olderThan } } }));
    add(page.results);
    olderThan = beforeCursor(page.previous);
    render();
  }

  async function load(): Promise<void> {
    const page = await unwrap(api.GET("/api/orders/{id}/messages/", { params: { path: { id: order.id } } }));
    add(page.results);
    olderThan = beforeCursor(page.previous);
    render();
    await markRead();
  }

  onNotification((n) => {
    const message = pushedMessage(n, order.id);
    if (message) {
      add([message]);
      render();
      void markRead();
    } else if (n.type === "order_messages_read" && n.order_id === order.id) {
      lastRead = Math.max(lastRead, Number((n.data as { last_read_id?: number }).last_read_id ?? 0));
      render();
    }
  });
  // Messages that arrived while the tab was hidden are read when it is shown again (until the page is left).
  const onVisible = () => {
    if (!list.isConnected) document.removeEventListener("visibilitychange", onVisible);
    else void markRead();
  };
  document.addEventListener("visibilitychange", onVisible);

  const toggle = h("input", { type: "checkbox", name: "with_status" });
  toggle.addEventListener("change", () => {
    withStatus = toggle.checked;
    render();
  });
  const textarea = h("textarea", { name: "body", rows: 3, maxlength: 4000, required: true });
  const compose = form({ "aria-label": "Compose", class: "compose" }, [field("Message", textarea)], "Send", async ({ body }) => {
    const sent = await unwrap(api.POST("/api/orders/{id}/messages/", { params: { path: { id: order.id } }, body: { body } }));
    add([sent]);
    textarea.value = "";
    render();
  });

  render();
  void load().catch((error: unknown) => mount(list, h("li", { class: "alert", role: "alert" }, error instanceof Error ? error.message : String(error))));
  return h(
    "div",
    { class: "card", id: "conversation" },
    h("div", { class: "page-head" }, h("h2", {}, "Conversation"), state),
    h("label", { class: "inline" }, toggle, " Show status changes (the order's timeline)"),
    older,
    list,
    compose,
  );
}
