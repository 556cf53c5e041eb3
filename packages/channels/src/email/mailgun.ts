import { createHash } from "node:crypto";
import { AppError } from "@alfred/core";
import { z } from "zod";
import type { InboundAttachment, NormalizedInboundMessage, ParsedWebhook } from "../types";
import { verifyHmacSha256Hex } from "../util/crypto";
import { parseWithSchema } from "../util/validation";
import { normalizeMessageId, parseAddress, parseAddressList, parseMessageIdList } from "./address";
import { STORED_ATTACHMENTS_FIELD, storedAttachmentSchema } from "./limits";

/**
 * Mailgun inbound routes ("forward" to a URL). The route decodes the urlencoded or multipart body into
 * string fields (see `decodeFormFields`) and passes them here. Attachments are not handled.
 */

export type MailgunFields = Record<string, string>;

export const mailgunFieldsSchema = z.looseObject({
  recipient: z.string().min(1),
  sender: z.string().optional(),
  from: z.string().optional(),
  subject: z.string().optional(),
  "body-plain": z.string().optional(),
  "stripped-text": z.string().optional(),
  "message-headers": z.string().optional(),
  timestamp: z.string().regex(/^\d{1,12}$/, "expected unix seconds").optional(),
  token: z.string().optional(),
  signature: z.string().optional(),
});

/** `[name, value]` pairs; Mailgun sends some values structured (Content-Type as `[type, {params}]`). */
const headerPairs = z.array(z.tuple([z.string(), z.unknown()]));

/**
 * `signature` = lowercase hex HMAC-SHA256 of `timestamp + token` (concatenated, no separator) keyed
 * with the Mailgun webhook signing key; timing-safe. False (never throws) when a field is missing or
 * malformed or the key is empty. Rejecting tokens seen before (replays) is the caller's job: it has
 * the database.
 */
export function verifyMailgunSignature(fields: Readonly<Record<string, unknown>>, signingKey: string | null | undefined): boolean {
  const { timestamp, token, signature } = fields;
  if (typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp)) return false;
  if (typeof token !== "string" || token.length === 0) return false;
  if (!signingKey) return false;
  return verifyHmacSha256Hex(signingKey, timestamp + token, signature);
}

/** The inbound address a Mailgun post is for (first valid address of `recipient`, lowercased), or null. */
export function mailgunRecipient(fields: Readonly<Record<string, unknown>>): string | null {
  return typeof fields.recipient === "string" ? (parseAddressList(fields.recipient)[0]?.address ?? null) : null;
}

/** The attachments the webhook stored, as listed on the receipt. */
function storedAttachments(json: string | undefined): InboundAttachment[] {
  if (json === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new AppError("validation_error", `invalid Mailgun inbound: ${STORED_ATTACHMENTS_FIELD} is not valid JSON`, { path: STORED_ATTACHMENTS_FIELD, cause });
  }
  return parseWithSchema(z.array(storedAttachmentSchema), value, "invalid Mailgun inbound", STORED_ATTACHMENTS_FIELD).map((a) => ({
    kind: "file",
    filename: a.filename,
    contentType: a.content_type,
    stored: { storageKey: a.storage_key, size: a.size, sha256: a.sha256 },
  }));
}

function parseHeaders(json: string | undefined): Array<[string, unknown]> {
  if (json === undefined || json.trim() === "") return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new AppError("validation_error", "invalid Mailgun inbound: message-headers is not valid JSON", { path: "message-headers", cause });
  }
  return parseWithSchema(headerPairs, value, "invalid Mailgun inbound", "message-headers");
}

/** First string value of a header (case-insensitive name). */
function header(headers: Array<[string, unknown]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  const found = headers.find(([k, v]) => k.toLowerCase() === lower && typeof v === "string");
  return found ? (found[1] as string) : undefined;
}

/**
 * Normalises one Mailgun inbound post.
 * - `channelAccountId`: the first address of `recipient`, lowercased (`Name <a@b>` handled).
 * - `from`: the `from` header's address and display name, falling back to the envelope `sender`.
 * - `body`: `stripped-text` (the reply without quoted history and signature) when non-blank, else
 *   `body-plain`, else null.
 * - `externalId` / `email.messageId`: the Message-Id header WITHOUT angle brackets (`<a@b>` -> `a@b`);
 *   `email.inReplyTo` and `email.references` are normalised the same way. A message without a
 *   Message-Id gets a deterministic `noid.<sha256>@alfred.invalid` id (from, recipient, subject, Date,
 *   body), so a re-delivery still deduplicates.
 * - `sentAt`: the Date header, else `timestamp`, else now.
 * - `raw`: the text fields as posted.
 * - `attachments`: what the webhook stored (`alfred-stored-attachments`), in posted order.
 */
export function parseMailgunInbound(fields: MailgunFields, now: Date = new Date()): ParsedWebhook {
  const f = parseWithSchema(mailgunFieldsSchema, fields, "invalid Mailgun inbound");
  const recipient = parseAddressList(f.recipient)[0];
  if (!recipient) throw new AppError("validation_error", "invalid Mailgun inbound: recipient has no valid address", { path: "recipient" });
  const headers = parseHeaders(f["message-headers"]);
  const sender = parseAddress(f.from ?? header(headers, "From")) ?? parseAddress(f.sender);
  if (!sender) throw new AppError("validation_error", "invalid Mailgun inbound: no valid sender address in from/sender", { path: "from" });

  const subject = f.subject ?? header(headers, "Subject") ?? "";
  const stripped = f["stripped-text"];
  const body = stripped !== undefined && stripped.trim() !== "" ? stripped : (f["body-plain"] ?? null);
  const dateHeader = header(headers, "Date");
  const parsedDate = dateHeader ? new Date(dateHeader) : null;
  const sentAt =
    parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : f.timestamp ? new Date(Number(f.timestamp) * 1000) : now;

  const messageId =
    normalizeMessageId(header(headers, "Message-Id") ?? (typeof fields["Message-Id"] === "string" ? fields["Message-Id"] : undefined)) ??
    `noid.${createHash("sha256")
      .update(JSON.stringify([sender.address, recipient.address, subject, dateHeader ?? "", body ?? ""]))
      .digest("hex")}@alfred.invalid`;
  const { [STORED_ATTACHMENTS_FIELD]: attachmentList, ...posted } = fields;
  const attachments = storedAttachments(attachmentList);
  const inReplyTo = parseMessageIdList(header(headers, "In-Reply-To"))[0] ?? null;
  const references = parseMessageIdList(header(headers, "References"));

  const message: NormalizedInboundMessage = {
    externalId: messageId,
    channelAccountId: recipient.address,
    from: { externalId: sender.address, email: sender.address, ...(sender.name ? { name: sender.name } : {}) },
    type: "text",
    body,
    sentAt,
    raw: posted,
    email: { subject, messageId, inReplyTo, references },
    ...(attachments.length ? { attachments } : {}),
  };
  return { messages: [message], statuses: [] };
}
