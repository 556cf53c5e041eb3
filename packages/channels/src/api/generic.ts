import { z } from "zod";
import type { ParsedWebhook } from "../types";
import { signSha256Header, verifySha256Header } from "../util/crypto";
import { parseWithSchema } from "../util/validation";

/**
 * Generic JSON channel for custom integrations:
 * `{channel_id, external_id, from: {id, name?, phone?, email?}, text, sent_at?}`, signed with
 * `X-Alfred-Signature: sha256=<lowercase hex HMAC-SHA256(raw body, channel secret)>`.
 * Extra fields are accepted (kept in `raw`). `sent_at` is an ISO 8601 date-time with an offset
 * (`2025-01-02T03:04:05Z`); without it the message is dated when parsed.
 */

export const API_SIGNATURE_HEADER = "x-alfred-signature";

export const apiInboundSchema = z.looseObject({
  channel_id: z.string().min(1).max(255),
  external_id: z.string().min(1).max(255),
  from: z.looseObject({
    id: z.string().min(1).max(255),
    name: z.string().max(255).optional(),
    phone: z.string().max(64).optional(),
    email: z.string().max(320).optional(),
  }),
  text: z.string().min(1).max(65_536),
  sent_at: z.iso.datetime({ offset: true }).optional(),
});
export type ApiInbound = z.infer<typeof apiInboundSchema>;

/** Verifies `X-Alfred-Signature` over the raw body; false (never throws) on any malformed input. */
export function verifyApiSignature(rawBody: Buffer | Uint8Array, header: string | string[] | null | undefined, secret: string | null | undefined): boolean {
  return verifySha256Header(rawBody, header, secret);
}

/** The `X-Alfred-Signature` value for a body (used by the API channel's sender and by tests). */
export function signApiBody(rawBody: Buffer | string, secret: string): string {
  return signSha256Header(rawBody, secret);
}

/** Parses a generic API channel body (already JSON-decoded). `channelAccountId` = `channel_id`. */
export function parseApiInbound(payload: unknown, now: Date = new Date()): ParsedWebhook {
  const p = parseWithSchema(apiInboundSchema, payload, "invalid API channel message");
  const email = p.from.email?.trim().toLowerCase();
  return {
    messages: [
      {
        externalId: p.external_id,
        channelAccountId: p.channel_id,
        from: {
          externalId: p.from.id,
          ...(p.from.name ? { name: p.from.name } : {}),
          ...(p.from.phone ? { phone: p.from.phone } : {}),
          ...(email ? { email } : {}),
        },
        type: "text",
        body: p.text,
        sentAt: p.sent_at ? new Date(p.sent_at) : now,
        raw: payload,
      },
    ],
    statuses: [],
  };
}
