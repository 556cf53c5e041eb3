import type { AttachmentKind, ChannelType, InboundAttachment, NormalizedInboundMessage } from "./types";

/**
 * Where the provider keeps the files of an inbound WhatsApp, Messenger or Instagram message, read
 * from the message as received (`raw`). The worker fetches them later (see `openInboundMedia`).
 * - WhatsApp: `raw[raw.type]` = `{id, mime_type, caption?, filename?}` for image, audio (a voice
 *   note has `voice: true`), video, document and sticker; the media id is the reference.
 * - Messenger / Instagram: `raw.message.attachments[]` = `{type, payload: {url}}` for image, audio,
 *   video, file; the URL is the reference (Instagram story mentions and shares are links, not files).
 */
export function inboundMediaRefs(channelType: ChannelType, message: Pick<NormalizedInboundMessage, "raw" | "type">): InboundAttachment[] {
  const raw = message.raw as Record<string, unknown> | null;
  if (!raw || typeof raw !== "object") return [];
  if (channelType === "whatsapp") return whatsAppRef(raw);
  if (channelType === "messenger" || channelType === "instagram") return messagingRefs(raw);
  return [];
}

const WHATSAPP_MEDIA: Record<string, AttachmentKind> = { image: "image", audio: "audio", video: "video", document: "document", sticker: "sticker" };

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

function whatsAppRef(raw: Record<string, unknown>): InboundAttachment[] {
  const type = str(raw.type);
  const kind = type ? WHATSAPP_MEDIA[type] : undefined;
  const media = type ? (raw[type] as Record<string, unknown> | undefined) : undefined;
  const id = media && typeof media === "object" ? str(media.id) : null;
  if (!kind || !media || !id) return [];
  return [{ kind: kind === "audio" && media.voice === true ? "voice" : kind, filename: str(media.filename), contentType: str(media.mime_type), caption: str(media.caption), sourceRef: id }];
}

const MESSAGING_MEDIA: Record<string, AttachmentKind> = { image: "image", audio: "audio", video: "video", file: "document" };

function messagingRefs(raw: Record<string, unknown>): InboundAttachment[] {
  const message = raw.message as { attachments?: unknown } | undefined;
  if (!message || !Array.isArray(message.attachments)) return [];
  const refs: InboundAttachment[] = [];
  for (const a of message.attachments as Array<Record<string, unknown>>) {
    const kind = MESSAGING_MEDIA[String(a?.type)];
    const url = str((a?.payload as Record<string, unknown> | undefined)?.url);
    if (!kind || !url || !/^https?:\/\//i.test(url)) continue;
    // Messenger marks stickers on image attachments with a sticker_id.
    const sticker = (a.payload as Record<string, unknown>).sticker_id !== undefined;
    refs.push({ kind: sticker ? "sticker" : kind, filename: null, contentType: null, sourceRef: url });
  }
  return refs;
}
