import { messageContentSchema } from "@alfred/core";
import { CHANNEL_TYPES, CONVERSATION_STATUSES } from "@alfred/db/schema";
import { z } from "zod";
import { cursorInput, instantInput, limitInput, pageOf, patchInput } from "../schemas";

export const conversationStatus = z.enum(CONVERSATION_STATUSES);

export const conversationItem = z.object({
  id: z.uuid(),
  status: conversationStatus,
  subject: z.string().nullable(),
  contact: z.object({ id: z.uuid(), name: z.string().nullable() }),
  channel: z.object({ id: z.uuid(), type: z.enum(CHANNEL_TYPES), name: z.string() }),
  last_message: z.object({ body: z.string().nullable(), type: z.string(), direction: z.enum(["in", "out"]), created_at: z.string() }).nullable(),
  unread_count: z.number().int(),
  assignee_id: z.uuid().nullable(),
  snoozed_until: z.string().nullable(),
  last_activity_at: z.string(),
});

export const listConversationsInput = z
  .object({
    status: conversationStatus.optional(),
    assignee: z.union([z.enum(["me", "unassigned"]), z.uuid()]).optional(),
    channel_id: z.uuid().optional(),
    q: z.string().trim().max(200).optional(),
    cursor: cursorInput,
    limit: limitInput,
  })
  .optional()
  .default({});

export const updateConversationInput = patchInput({
  status: conversationStatus.optional(),
  snoozed_until: instantInput.nullable().optional(),
  assignee_id: z.uuid().nullable().optional(),
});

export const attachmentItem = z.object({
  id: z.uuid(),
  message_id: z.uuid(),
  kind: z.string().meta({ description: "image, audio, voice, video, document, sticker, or file (an e-mail attachment)" }),
  filename: z.string().nullable(),
  content_type: z.string().nullable(),
  size: z.number().int().nullable(),
  sha256: z.string().nullable(),
  caption: z.string().nullable(),
  status: z.enum(["pending", "stored", "failed"]).meta({ description: "pending: being fetched from the provider; failed: see error" }),
  error: z.string().nullable(),
  download_url: z.string().nullable().meta({ description: "Same-origin path serving the bytes to signed-in members of the tenant; null unless stored" }),
  created_at: z.string(),
});

export const timelineItem = z.object({
  id: z.uuid(),
  kind: z.enum(["message", "comment"]),
  direction: z.enum(["in", "out"]).nullable(),
  type: z.string(),
  body: z.string().nullable(),
  content: messageContentSchema
    .nullable()
    .describe("Typed content beyond the text, by kind: media (media_id, mime_type, caption...), reaction (emoji, action react/unreact), location, story_mention, interactive_reply, postback; null for text and comments"),
  status: z.string().nullable(),
  error: z.string().nullable(),
  external_id: z.string().nullable(),
  author: z.object({ type: z.enum(["user", "destination", "contact"]), id: z.string().nullable(), name: z.string().nullable() }),
  classification: z
    .object({
      intent: z.string().meta({ description: "question, purchase_intent, complaint, spam, greeting or other" }),
      sentiment: z.string().meta({ description: "positive, neutral or negative" }),
      language: z.string().meta({ description: "pt, en, es or unknown" }),
      provider: z.string().meta({ description: "local (the built-in heuristic) or openai_compatible" }),
      provider_label: z.string().meta({ description: '"local heuristic" or the model\'s name, as the inbox shows it' }),
      confidence: z.number().min(0).max(1),
    })
    .nullable()
    .meta({ description: "What the AI provider made of an inbound message; null until the worker classified it, and for outgoing messages and comments" }),
  /** Files of a message (empty for comments and messages without files). */
  attachments: z.array(attachmentItem),
  created_at: z.string(),
});

export const timelineInput = z.object({ id: z.uuid(), cursor: cursorInput, limit: limitInput });
export const timelineOutput = pageOf(timelineItem);

export const bodyInput = z.object({ id: z.uuid(), body: z.string().trim().min(1, "must not be empty").max(4096) });
export const commentOutput = z.object({ id: z.uuid(), conversation_id: z.uuid(), body: z.string(), created_at: z.string() });
