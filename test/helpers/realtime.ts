import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { Bindings } from "../../src/env";
import type { JobMessage } from "../../src/jobs/messages";
import { inboxInserts, type DomainEvent } from "../../src/modules/notifications/notification-events";
import worker from "../../src/index";
import { BASE } from "./http";
import { db } from "./factories";

// How long a message may take to arrive before the test fails instead of hanging (a loaded CI machine is slow).
const WAIT_MS = 15_000;

/** A JSON message the server sent on a socket: its type, and fields a test checks. */
export type Frame = { type: string } & Record<string, unknown>;

/** A client-side WebSocket from the real Worker, with its incoming JSON messages queued in order. */
export class TestSocket {
  private readonly received: unknown[] = [];
  private waiter: (() => void) | null = null;
  /** Settles when the server closes the socket (or answers the client's close). */
  readonly closed: Promise<CloseEvent>;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.addEventListener("close", resolve));
    ws.accept();
    ws.addEventListener("message", (event) => {
      this.received.push(JSON.parse(event.data as string));
      this.waiter?.();
    });
  }

  /** The next message (fails the test instead of hanging if none arrives). */
  async next<T = Frame>(): Promise<T> {
    while (!this.received.length) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("No WebSocket message arrived")), WAIT_MS);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.received.shift() as T;
  }

  /**
   * Everything received before a pong to a ping sent now. Messages on a socket are ordered, so once
   * the sender has finished (the queue handler returned), this is everything it sent.
   */
  async drain(ping = '{"type": "ping"}'): Promise<Frame[]> {
    this.ws.send(ping);
    const before: Frame[] = [];
    for (let m = await this.next(); m.type !== "pong"; m = await this.next()) before.push(m);
    return before;
  }

  /** Messages received and not yet read. */
  get unread(): number {
    return this.received.length;
  }

  close() {
    this.ws.close(1000, "done");
  }
}

export function socketRequest(query: string, headers: Record<string, string> = {}) {
  return exports.default.fetch(new Request(`${BASE}/ws/notifications/${query}`, { headers: { Upgrade: "websocket", ...headers } }));
}

/** Connects and consumes `connection_established`. */
export async function connect(token: string, options: { since?: number; origin?: string } = {}): Promise<TestSocket> {
  const since = options.since === undefined ? "" : `&since=${options.since}`;
  const response = await socketRequest(`?token=${token}${since}`, options.origin ? { Origin: options.origin } : {});
  if (response.status !== 101 || !response.webSocket) throw new Error(`Upgrade failed: ${response.status} ${await response.text()}`);
  const socket = new TestSocket(response.webSocket);
  const hello = await socket.next();
  if (hello.type !== "connection_established") throw new Error(`Unexpected first message ${JSON.stringify(hello)}`);
  return socket;
}

/** Writes a domain event's inbox rows as a module would (one batch), returning its event id. */
export async function recordEvent(event: DomainEvent): Promise<string> {
  const d = db();
  const { eventId, statements } = inboxInserts(d, event);
  const [first, ...rest] = statements;
  await d.batch([first, ...rest]);
  return eventId;
}

export const queueMessage = (body: unknown, attempts = 1) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts, body });

/**
 * Runs the Worker's real queue() handler on one batch and reports what it acked or retried.
 * getQueueResult does not report retry delays, so `delays` records what each retry() asked for.
 */
export async function runQueue(messages: ReturnType<typeof queueMessage>[], options: { queue?: string; env?: Bindings } = {}) {
  const batch = createMessageBatch(options.queue ?? "marketplace-jobs", messages);
  const delays: Record<string, number | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (retryOptions) => {
      delays[message.id] = retryOptions?.delaySeconds;
      retry(retryOptions);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<JobMessage>, options.env ?? env, ctx);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

/** The env with a Durable Object namespace whose objects are unreachable (a platform hiccup). */
export const envWithBrokenObjects = (): Bindings => ({
  ...env,
  USER_NOTIFICATIONS: {
    idFromName: (name: string) => env.USER_NOTIFICATIONS.idFromName(name),
    get: () => ({ push: () => Promise.reject(new Error("Durable Object unavailable")) }),
  } as unknown as Bindings["USER_NOTIFICATIONS"],
});

export const pushMessage = (eventId: string, attempts = 1) => queueMessage({ type: "notifications.push", eventId }, attempts);
