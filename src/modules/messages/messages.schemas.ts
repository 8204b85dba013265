import { z } from "@hono/zod-openapi";
import { iso } from "../../lib/time";
import { publicUserSchema, toPublicUserDto, type PublicUserRow } from "../accounts/accounts.schemas";

const MAX_MESSAGE_LENGTH = 4000;
export const DEFAULT_MESSAGE_PAGE = 50;
const MAX_MESSAGE_PAGE = 100;

// ── Output ────────────────────────────────────────────────────────────────────────────────────

export const messageSchema = z
  .object({
    id: z.number().int().openapi({ description: "Increases in the order every reader sees; use it as the cursor" }),
    order_id: z.number().int(),
    sender: publicUserSchema,
    is_operator: z.boolean().openapi({ description: "Posted by an admin, as the marketplace's operator" }),
    body: z.string().openapi({
      description:
        "Plain text as sent (render it escaped). Email addresses and phone numbers are masked for the other party until the order is paid; the author and admins see the original.",
    }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("OrderMessage");

export type MessageDto = z.infer<typeof messageSchema>;

export const messagePageSchema = z
  .object({
    next: z.string().nullable().openapi({ description: "Newer messages (`?after=`), null when this page is the newest" }),
    previous: z.string().nullable().openapi({ description: "Older messages (`?before=`), null when this page starts the conversation" }),
    results: z.array(messageSchema).openapi({ description: "Oldest first" }),
  })
  .openapi("OrderMessagePage");

export const readStateSchema = z
  .object({
    order_id: z.number().int(),
    last_read_id: z.number().int().openapi({ description: "Messages up to this id are read by the caller (0: none)" }),
    unread_messages: z.number().int().openapi({ description: "Messages of the other participants after last_read_id" }),
  })
  .openapi("OrderMessagesReadState");

export type ReadStateDto = z.infer<typeof readStateSchema>;

export interface MessageRow {
  id: number;
  orderId: number;
  body: string;
  isOperator: boolean;
  createdAt: Date;
  sender: PublicUserRow;
}

export const toMessageDto = (m: MessageRow, body = m.body): MessageDto => ({
  id: m.id,
  order_id: m.orderId,
  sender: toPublicUserDto(m.sender),
  is_operator: m.isOperator,
  body,
  created_at: iso(m.createdAt),
});

// ── Input ─────────────────────────────────────────────────────────────────────────────────────

export const postMessageBody = z
  .strictObject({
    body: z
      .string({ error: (issue) => (issue.input === undefined ? "This field is required." : "Not a valid string.") })
      .max(MAX_MESSAGE_LENGTH, `Ensure this field has no more than ${MAX_MESSAGE_LENGTH} characters.`)
      .refine((body) => body.trim().length > 0, "This field may not be blank.")
      .openapi({ minLength: 1, maxLength: MAX_MESSAGE_LENGTH, description: "Plain text, stored as sent" }),
  })
  .openapi("OrderMessageCreateRequest");

export const readMessagesBody = z
  .strictObject({
    up_to: z
      .number({ error: "A valid integer is required." })
      .int("A valid integer is required.")
      .positive("A valid integer is required.")
      .openapi({ description: "The newest message id the caller has seen" }),
  })
  .openapi("OrderMessagesReadRequest");

const cursor = z
  .string()
  .regex(/^\d{1,15}$/, "A valid non-negative integer is required.")
  .transform(Number)
  .optional()
  .openapi({ type: "integer", minimum: 0 });

export const messagesQuery = z
  .object({
    after: cursor.openapi({ description: "Messages with a greater id (`0`: from the start)" }),
    before: cursor.openapi({ description: "Messages with a smaller id" }),
    page_size: z
      .string()
      .regex(/^\d{1,9}$/, "A valid positive integer is required.")
      .transform(Number)
      .refine((n) => n >= 1, "A valid positive integer is required.")
      .refine((n) => n <= MAX_MESSAGE_PAGE, `Ensure this value is less than or equal to ${MAX_MESSAGE_PAGE}.`)
      .optional()
      .openapi({ type: "integer", minimum: 1, maximum: MAX_MESSAGE_PAGE, example: DEFAULT_MESSAGE_PAGE }),
  })
  .refine((q) => q.after === undefined || q.before === undefined, { message: "Give after or before, not both.", path: ["non_field_errors"] });

export type MessagesQuery = z.infer<typeof messagesQuery>;
