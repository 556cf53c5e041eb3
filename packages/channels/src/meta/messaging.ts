import { createHash } from "node:crypto";
import { z } from "zod";
import type { NormalizedInboundMessage, NormalizedStatusUpdate, ParsedWebhook } from "../types";
import { dateFromUnix, parseWithSchema } from "../util/validation";

/**
 * Messenger (`object: "page"`) and Instagram (`object: "instagram"`) messaging webhooks:
 * `entry[].messaging[]` events.
 *
 * - `message` events become inbound messages; `channelAccountId` = `recipient.id` (the page id or the
 *   Instagram business account id), `from.externalId` = `sender.id` (PSID / IGSID; Meta sends no name).
 * - Echoes (`message.is_echo: true`, what the business itself sent) are IGNORED, as are Instagram
 *   unsends (`message.is_deleted: true`, they reuse the mid of the original message).
 * - Text -> type `text`. Attachments -> type of the first attachment (`image`, `video`, `audio`,
 *   `file`, `location`, `fallback`, `share`, `story_mention`, `ig_reel`, ...); body = the text if the
 *   message also has one, else null. Instagram `is_unsupported` messages -> type `unsupported`.
 * - `messaging_postbacks` events (a tap on a button, Get Started, an Instagram ice breaker) -> type
 *   `postback`, body = the button's title, content = `{ title, payload }`. Their id is the
 *   postback's `mid` when Meta sends one, else derived from sender, time and payload (stable across
 *   re-deliveries of the same event).
 * - `delivery` events that list `mids` (Messenger) map to `delivered` statuses, and `read` events
 *   naming a `mid` (Instagram) map to `read`. Messenger `read` events carry only a watermark (every
 *   message before a time), which cannot be tied to a message id without the database: IGNORED,
 *   as are reactions, referrals, opt-ins, edits, `standby` and `changes` entries.
 * - `raw` is the whole messaging event (`sender`, `recipient`, `timestamp`, `message`), unknown fields kept.
 */

export type MessagingChannel = "messenger" | "instagram";
const OBJECT_FOR: Record<MessagingChannel, "page" | "instagram"> = { messenger: "page", instagram: "instagram" };

const unixMs = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,15}$/, "expected unix milliseconds")]);

const attachmentSchema = z.looseObject({ type: z.string().min(1), payload: z.unknown().optional() });

export const messagingMessageSchema = z.looseObject({
  mid: z.string().min(1),
  text: z.string().optional(),
  attachments: z.array(attachmentSchema).optional(),
  is_echo: z.boolean().optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
});

const participant = z.looseObject({ id: z.string().min(1) });

/** A `message` event, checked strictly once we know it is one. */
export const messagingMessageEventSchema = z.looseObject({
  sender: participant,
  recipient: participant,
  timestamp: unixMs,
  message: messagingMessageSchema,
});

const eventSchema = z.looseObject({
  sender: z.looseObject({ id: z.string().optional() }).optional(),
  recipient: z.looseObject({ id: z.string().optional() }).optional(),
  timestamp: unixMs.optional(),
  message: z.unknown().optional(),
  delivery: z.looseObject({ mids: z.array(z.string()).optional(), watermark: unixMs.optional() }).optional(),
  read: z.looseObject({ mid: z.string().optional(), watermark: unixMs.optional() }).optional(),
  postback: z.unknown().optional(),
});

/** A `messaging_postbacks` event, checked strictly once we know it is one. */
export const messagingPostbackEventSchema = z.looseObject({
  sender: participant,
  recipient: participant,
  timestamp: unixMs,
  postback: z.looseObject({ mid: z.string().min(1).optional(), title: z.string().optional(), payload: z.string().optional() }),
});

export const messagingWebhookSchema = z.looseObject({
  object: z.enum(["page", "instagram"]),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      time: unixMs.optional(),
      messaging: z.array(eventSchema).optional(),
    }),
  ),
});

/** Parses a Messenger or Instagram webhook body (already JSON-decoded). */
export function parseMessagingWebhook(channel: MessagingChannel, payload: unknown): ParsedWebhook {
  const what = `invalid ${channel === "messenger" ? "Messenger" : "Instagram"} webhook`;
  const body = parseWithSchema(messagingWebhookSchema, payload, what);
  const expected = OBJECT_FOR[channel];
  if (body.object !== expected) {
    // A well-formed body for the other product: the wrong shape for this endpoint.
    parseWithSchema(z.object({ object: z.literal(expected) }), { object: body.object }, what);
  }
  const messages: NormalizedInboundMessage[] = [];
  const statuses: NormalizedStatusUpdate[] = [];

  body.entry.forEach((entry, i) => {
    (entry.messaging ?? []).forEach((event, k) => {
      const at = event.timestamp ?? entry.time;
      const accountId = event.recipient?.id;
      if (event.message !== undefined) {
        const e = parseWithSchema(messagingMessageEventSchema, event, what, `entry.${i}.messaging.${k}`);
        const m = e.message;
        if (m.is_echo === true || m.is_deleted === true) return;
        const first = m.attachments?.[0];
        const type = first ? first.type : m.is_unsupported === true ? "unsupported" : m.text !== undefined ? "text" : "unsupported";
        messages.push({
          externalId: m.mid,
          channelAccountId: e.recipient.id,
          from: { externalId: e.sender.id },
          type,
          body: m.text ?? null,
          sentAt: dateFromUnix(e.timestamp, "ms"),
          raw: event,
        });
        return;
      }
      if (event.postback !== undefined) {
        const e = parseWithSchema(messagingPostbackEventSchema, event, what, `entry.${i}.messaging.${k}`);
        const { mid, title, payload } = e.postback;
        const label = title ?? payload ?? "";
        messages.push({
          externalId: mid ?? `postback:${createHash("sha256").update(`${e.sender.id}|${e.recipient.id}|${e.timestamp}|${payload ?? ""}|${title ?? ""}`).digest("hex").slice(0, 40)}`,
          channelAccountId: e.recipient.id,
          from: { externalId: e.sender.id },
          type: "postback",
          body: label === "" ? null : label,
          content: { kind: "postback", title: label, payload: payload ?? null },
          sentAt: dateFromUnix(e.timestamp, "ms"),
          raw: event,
        });
        return;
      }
      if (!accountId || at === undefined) return;
      for (const mid of event.delivery?.mids ?? []) {
        statuses.push({ externalId: mid, channelAccountId: accountId, status: "delivered", at: dateFromUnix(at, "ms"), ...(event.sender?.id ? { recipientId: event.sender.id } : {}) });
      }
      if (event.read?.mid) {
        statuses.push({ externalId: event.read.mid, channelAccountId: accountId, status: "read", at: dateFromUnix(at, "ms"), ...(event.sender?.id ? { recipientId: event.sender.id } : {}) });
      }
    });
  });
  return { messages, statuses };
}
