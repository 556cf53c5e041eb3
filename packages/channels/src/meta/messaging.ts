import { createHash } from "node:crypto";
import type { MessageContent } from "@alfred/core";
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
 * - `message_reactions` events -> type `reaction`, body null, content = `{ action, emoji, reacted_message_external_id }`
 *   (an `unreact` is the removal; its emoji is null).
 * - `messaging_postbacks` events (a tap on a button, Get Started, an Instagram ice breaker) -> type
 *   `postback`, body = the button's title, content = `{ title, payload }`. Their id is the
 *   postback's `mid` when Meta sends one, else derived from sender, time and payload (stable across
 *   re-deliveries of the same event).
 * - `delivery` events that list `mids` (Messenger) map to `delivered` statuses, and `read` events
 *   naming a `mid` (Instagram) map to `read`. Messenger `read` events carry only a watermark (every
 *   message before a time), which cannot be tied to a message id without the database: IGNORED,
 *   as are referrals, opt-ins, edits, `standby` and `changes` entries.
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
  reaction: z.unknown().optional(),
});

/** A `message_reactions` event: `action` is `react` or `unreact` (then Meta may omit the emoji). */
export const messagingReactionEventSchema = z.looseObject({
  sender: participant,
  recipient: participant,
  timestamp: unixMs,
  reaction: z.looseObject({ mid: z.string().min(1), action: z.enum(["react", "unreact"]), emoji: z.string().optional(), reaction: z.string().optional() }),
});

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const MEDIA: Record<string, "image" | "audio" | "video" | "file" | "sticker"> = { image: "image", audio: "audio", video: "video", file: "file", sticker: "sticker" };

/**
 * The typed content of a message's first attachment (Meta's documented shapes): media with the
 * download `url` Meta gives instead of an id, a `location` (`payload.coordinates.lat/long`), an
 * Instagram `story_mention` (`payload.url`). Null for the rest (share, fallback, reels...).
 */
function attachmentContent(attachment: { type: string; payload?: unknown }, text: string | undefined): MessageContent | null {
  const payload = (typeof attachment.payload === "object" && attachment.payload !== null ? attachment.payload : {}) as Record<string, unknown>;
  const url = str(payload.url);
  const mediaType = MEDIA[attachment.type];
  if (mediaType) {
    // Messenger marks stickers as images with a sticker_id.
    const sticker = payload.sticker_id !== undefined;
    return { kind: "media", media_type: sticker ? "sticker" : mediaType, media_id: null, ...(url ? { url } : {}), ...(text ? { caption: text } : {}) };
  }
  if (attachment.type === "story_mention" && url) return { kind: "story_mention", url };
  if (attachment.type === "location") {
    const coordinates = (payload.coordinates ?? {}) as Record<string, unknown>;
    const latitude = Number(coordinates.lat);
    const longitude = Number(coordinates.long);
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
    return { kind: "location", latitude, longitude, name: str(payload.title) ?? null, address: null, url: url ?? null };
  }
  return null;
}

/** A tap on a quick reply the page sent: the text is its title, `quick_reply.payload` the page's payload. */
function quickReplyContent(m: z.infer<typeof messagingMessageSchema>): MessageContent | null {
  const quick = (m as Record<string, unknown>).quick_reply as Record<string, unknown> | undefined;
  const payload = str(quick?.payload);
  if (!payload || !m.text) return null;
  return { kind: "interactive_reply", reply_type: "quick_reply", id: null, title: m.text, payload };
}

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
          content: (first ? attachmentContent(first, m.text) : quickReplyContent(m)) ?? undefined,
          sentAt: dateFromUnix(e.timestamp, "ms"),
          raw: event,
        });
        return;
      }
      if (event.reaction !== undefined) {
        const e = parseWithSchema(messagingReactionEventSchema, event, what, `entry.${i}.messaging.${k}`);
        const { mid, action, emoji } = e.reaction;
        const unreact = action === "unreact";
        messages.push({
          // A reaction has no id of its own: derived from who reacted to what, how and when (stable across re-deliveries).
          externalId: `reaction:${createHash("sha256").update(`${e.sender.id}|${mid}|${action}|${e.timestamp}`).digest("hex").slice(0, 40)}`,
          channelAccountId: e.recipient.id,
          from: { externalId: e.sender.id },
          type: "reaction",
          body: null,
          content: { kind: "reaction", action: unreact ? "unreact" : "react", emoji: unreact ? null : (emoji ?? null), reacted_message_external_id: mid },
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
