import type { MessageContent } from "@alfred/core";

/**
 * Provider-neutral shapes produced by the channel adapters. The adapters do no database work: the crm
 * package looks the channel up by `channelAccountId`, stores messages idempotently on `externalId` and
 * applies status updates with `isStatusAdvance`.
 */

export const CHANNEL_TYPES = ["whatsapp", "messenger", "instagram", "email", "api"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export function isChannelType(value: unknown): value is ChannelType {
  return typeof value === "string" && (CHANNEL_TYPES as readonly string[]).includes(value);
}

export interface NormalizedSender {
  /** The sender's id on the channel: WhatsApp wa_id, Messenger PSID, Instagram IGSID, e-mail address, API `from.id`. */
  externalId: string;
  name?: string;
  /** E.164 with a leading `+` when the channel gives a phone number. */
  phone?: string;
  /** Lowercased address. */
  email?: string;
}

/** E-mail threading data. Message ids are stored WITHOUT angle brackets (see `normalizeMessageId`). */
export interface EmailThreading {
  subject: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
}

export interface NormalizedInboundMessage {
  /** The provider's message id: wamid, Messenger/Instagram `mid`, e-mail Message-Id, API `external_id`. */
  externalId: string;
  /** Which channel received it: phone_number_id / page id / Instagram account id / inbound address / channel id. */
  channelAccountId: string;
  from: NormalizedSender;
  /** `text`, or the provider's own type (image, audio, video, document, location, sticker, contacts, reaction, unsupported, ...). */
  type: string;
  /** The text, a caption, or null for types without text. */
  body: string | null;
  /** What the message holds beyond its text, typed per kind (media, reaction, location, postback...); null for plain text. */
  content?: MessageContent | null;
  sentAt: Date;
  /** The single provider message object, as received (unknown fields kept). */
  raw: unknown;
  email?: EmailThreading;
  /** Files of the message: already in blob storage (e-mail) or still at the provider (`sourceRef`). */
  attachments?: InboundAttachment[];
}

/** image, audio, voice, video, document, sticker (provider media) or file (an e-mail attachment). */
export type AttachmentKind = "image" | "audio" | "voice" | "video" | "document" | "sticker" | "file";

export interface InboundAttachment {
  kind: AttachmentKind;
  filename: string | null;
  contentType: string | null;
  caption?: string | null;
  /** Set when the bytes are already stored (e-mail attachments are stored by the webhook). */
  stored?: { storageKey: string; size: number; sha256: string };
  /** Where the provider keeps it when not stored yet: a WhatsApp media id or a Messenger/Instagram URL. */
  sourceRef?: string;
}

/** Statuses a provider can report for an outbound message. */
export type DeliveryStatus = "sent" | "delivered" | "read" | "failed";
/** Every status an outbound message can have; `queued` and `sending` are set by Alfred itself. */
export type OutboundStatus = "queued" | "sending" | DeliveryStatus;

export interface StatusError {
  code: number | string;
  title: string;
  message: string;
}

export interface NormalizedStatusUpdate {
  /** The provider id of the OUTBOUND message this status refers to. */
  externalId: string;
  channelAccountId: string;
  status: DeliveryStatus;
  at: Date;
  /** The customer the message went to, when the provider says. */
  recipientId?: string;
  error?: StatusError;
}

export interface ParsedWebhook {
  messages: NormalizedInboundMessage[];
  statuses: NormalizedStatusUpdate[];
}

/** Progress order of the non-failure statuses. */
export const STATUS_RANK: Readonly<Record<Exclude<OutboundStatus, "failed">, number>> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
};

/**
 * Whether an outbound message whose status is `current` should take the status `next` (from a provider
 * notification or the sender). Statuses never move backwards, because providers deliver notifications
 * out of order (a late `delivered` must not overwrite `read`):
 *
 * - queued < sending < sent < delivered < read: only a strictly higher rank replaces a lower one;
 *   the same status again is not an advance (so re-delivered notifications change nothing).
 * - `failed` replaces queued / sending / sent, but never delivered or read (the message demonstrably
 *   reached the customer; a late failure of an earlier attempt is stale).
 * - From `failed`, only `delivered` or `read` advance (proof the message did arrive); a late `sent`
 *   does not hide the failure. A deliberate re-send by an agent resets the status to `queued` directly
 *   and does not go through this check.
 */
export function isStatusAdvance(current: OutboundStatus, next: OutboundStatus): boolean {
  if (current === next) return false;
  if (next === "failed") return current === "queued" || current === "sending" || current === "sent";
  if (current === "failed") return next === "delivered" || next === "read";
  return STATUS_RANK[next] > STATUS_RANK[current];
}
