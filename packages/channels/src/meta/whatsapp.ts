import type { MessageContent } from "@alfred/core";
import { z } from "zod";
import type { DeliveryStatus, NormalizedInboundMessage, NormalizedStatusUpdate, ParsedWebhook, StatusError } from "../types";
import { dateFromUnix, parseWithSchema } from "../util/validation";

/**
 * WhatsApp Cloud API webhooks (`object: "whatsapp_business_account"`).
 *
 * Schemas are `looseObject`s: fields Meta adds later are accepted and kept in `raw`; a body of the
 * wrong shape (missing ids, wrong types) is a `validation_error` naming the path. Only changes with
 * `field: "messages"` are read; other fields (template status, account updates, ...) are skipped.
 */

const unixSeconds = z.union([z.string().regex(/^\d{1,12}$/, "expected unix seconds"), z.number().int().nonnegative()]);
const captioned = z.looseObject({ caption: z.string().optional() }).optional();

export const whatsAppMessageSchema = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string().min(1),
  text: z.looseObject({ body: z.string() }).optional(),
  image: captioned,
  video: captioned,
  document: captioned,
  button: z.looseObject({ text: z.string().optional() }).optional(),
  interactive: z
    .looseObject({
      type: z.string().optional(),
      button_reply: z.looseObject({ title: z.string().optional() }).optional(),
      list_reply: z.looseObject({ title: z.string().optional() }).optional(),
    })
    .optional(),
});
export type WhatsAppMessage = z.infer<typeof whatsAppMessageSchema>;

export const whatsAppStatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  errors: z
    .array(
      z.looseObject({
        code: z.union([z.number(), z.string()]),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.looseObject({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

export const whatsAppValueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
  contacts: z
    .array(z.looseObject({ wa_id: z.string().optional(), profile: z.looseObject({ name: z.string().optional() }).optional() }))
    .optional(),
  messages: z.array(whatsAppMessageSchema).optional(),
  statuses: z.array(whatsAppStatusSchema).optional(),
});

export const whatsAppWebhookSchema = z.looseObject({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })),
    }),
  ),
});

const DELIVERY_STATUSES: readonly string[] = ["sent", "delivered", "read", "failed"] satisfies DeliveryStatus[];

/**
 * The message's text: `text.body`; the caption of an image / video / document; the title the customer
 * picked for a quick-reply `button` or an `interactive` button/list reply. Null for everything else
 * (audio, location, sticker, contacts, reaction, unsupported, ...), whose content stays in `raw`.
 */
export function whatsAppBody(m: WhatsAppMessage): string | null {
  switch (m.type) {
    case "text":
      return m.text?.body ?? null;
    case "image":
    case "video":
    case "document":
      return m[m.type]?.caption ?? null;
    case "button":
      return m.button?.text ?? null;
    case "interactive":
      return m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? null;
    default:
      return null;
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
};
const record = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const MEDIA_TYPES = ["image", "audio", "video", "document", "sticker"] as const;

/**
 * The typed content of a WhatsApp message, from Meta's documented shapes: media (`id`, `mime_type`,
 * `sha256`, `caption`, `filename`, `voice`, `animated`), `reaction` (`message_id`, `emoji`; an empty
 * or missing emoji is the reaction's removal), `location`, `interactive` button / list replies and
 * template quick-reply `button`s. Null for text and for anything it cannot read completely (the
 * message is still stored, with `raw`).
 */
export function whatsAppContent(m: WhatsAppMessage): MessageContent | null {
  const part = record((m as Record<string, unknown>)[m.type]);
  if ((MEDIA_TYPES as readonly string[]).includes(m.type)) {
    const mediaId = str(part.id);
    if (!mediaId) return null;
    const optional = { mime_type: str(part.mime_type), caption: str(part.caption), sha256: str(part.sha256), filename: str(part.filename) };
    return {
      kind: "media",
      media_type: m.type as (typeof MEDIA_TYPES)[number],
      media_id: mediaId,
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
      ...(typeof part.voice === "boolean" ? { voice: part.voice } : {}),
      ...(typeof part.animated === "boolean" ? { animated: part.animated } : {}),
    };
  }
  switch (m.type) {
    case "reaction": {
      const target = str(part.message_id);
      if (!target) return null;
      const emoji = str(part.emoji) ?? null;
      return { kind: "reaction", action: emoji === null ? "unreact" : "react", emoji, reacted_message_external_id: target };
    }
    case "location": {
      const latitude = num(part.latitude);
      const longitude = num(part.longitude);
      if (latitude === undefined || longitude === undefined || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
      return { kind: "location", latitude, longitude, name: str(part.name) ?? null, address: str(part.address) ?? null, url: str(part.url) ?? null };
    }
    case "interactive": {
      const replyType = part.type === "button_reply" || part.type === "list_reply" ? part.type : undefined;
      if (!replyType) return null;
      const reply = record(part[replyType]);
      const title = str(reply.title);
      if (!title) return null;
      const description = str(reply.description);
      return { kind: "interactive_reply", reply_type: replyType, id: str(reply.id) ?? null, title, ...(description ? { description } : {}) };
    }
    case "button": {
      const title = str(part.text);
      if (!title) return null;
      const payload = str(part.payload);
      return { kind: "interactive_reply", reply_type: "quick_reply", id: null, title, ...(payload ? { payload } : {}) };
    }
    default:
      return null;
  }
}

/** `+<digits>` when the WhatsApp id is a phone number (wa_id is E.164 without the plus). */
function phoneFromWaId(id: string): string | undefined {
  return /^\d{6,15}$/.test(id) ? `+${id}` : undefined;
}

/**
 * Parses a WhatsApp webhook body (already JSON-decoded). Every inbound message is kept, whatever its
 * type. Statuses other than sent / delivered / read / failed (e.g. the deprecated `deleted`) are
 * skipped. Each message / status carries its own change's `metadata.phone_number_id`, since one
 * webhook may batch several numbers.
 */
export function parseWhatsAppWebhook(payload: unknown): ParsedWebhook {
  const body = parseWithSchema(whatsAppWebhookSchema, payload, "invalid WhatsApp webhook");
  const messages: NormalizedInboundMessage[] = [];
  const statuses: NormalizedStatusUpdate[] = [];

  body.entry.forEach((entry, i) => {
    entry.changes.forEach((change, j) => {
      if (change.field !== "messages") return;
      const value = parseWithSchema(whatsAppValueSchema, change.value, "invalid WhatsApp webhook", `entry.${i}.changes.${j}.value`);
      const channelAccountId = value.metadata.phone_number_id;
      const contacts = value.contacts ?? [];

      for (const m of value.messages ?? []) {
        const contact = contacts.find((c) => c.wa_id === m.from) ?? (contacts.length === 1 ? contacts[0] : undefined);
        const name = contact?.profile?.name?.trim();
        const phone = phoneFromWaId(m.from);
        messages.push({
          externalId: m.id,
          channelAccountId,
          from: { externalId: m.from, ...(name ? { name } : {}), ...(phone ? { phone } : {}) },
          type: m.type,
          body: whatsAppBody(m),
          content: whatsAppContent(m) ?? undefined,
          sentAt: dateFromUnix(m.timestamp, "s"),
          raw: m,
        });
      }

      for (const s of value.statuses ?? []) {
        if (!DELIVERY_STATUSES.includes(s.status)) continue;
        const first = s.errors?.[0];
        const error: StatusError | undefined = first
          ? {
              code: first.code,
              title: first.title ?? first.message ?? "error",
              message: first.error_data?.details ?? first.message ?? first.title ?? "error",
            }
          : undefined;
        statuses.push({
          externalId: s.id,
          channelAccountId,
          status: s.status as DeliveryStatus,
          at: dateFromUnix(s.timestamp, "s"),
          ...(s.recipient_id ? { recipientId: s.recipient_id } : {}),
          ...(error && s.status === "failed" ? { error } : {}),
        });
      }
    });
  });
  return { messages, statuses };
}
