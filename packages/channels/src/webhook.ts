import { AppError } from "@alfred/core";
import { parseApiInbound } from "./api/generic";
import { MAX_EMAIL_TEXT_BYTES } from "./email/limits";
import { parseMailgunInbound, type MailgunFields } from "./email/mailgun";
import { parseMessagingWebhook } from "./meta/messaging";
import { parseWhatsAppWebhook } from "./meta/whatsapp";
import type { ChannelType, ParsedWebhook } from "./types";
import { decodeUtf8, MAX_WEBHOOK_BYTES, parseJsonBody } from "./util/validation";

/** The media type of a Content-Type header, lowercased, without parameters; null when absent. */
export function mediaType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const t = contentType.split(";")[0]?.trim().toLowerCase();
  return t ? t : null;
}

function isJson(type: string): boolean {
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/** E-mail receipts hold the text fields of a post of up to Mailgun's maximum message size; the rest 1 MiB. */
function checkSize(rawBody: Buffer | Uint8Array, max = MAX_WEBHOOK_BYTES): void {
  if (rawBody.byteLength > max) throw new AppError("payload_too_large", `request body exceeds ${max} bytes`);
}

/**
 * Decodes an e-mail inbound body into string fields: `application/x-www-form-urlencoded` and
 * `multipart/form-data` (what Mailgun posts; file parts such as attachments are skipped), or a JSON
 * object of strings. The first value wins for a repeated field. `bad_request` for an undecodable body,
 * `unsupported_media_type` for any other content type, `validation_error` for JSON that is not an
 * object of strings.
 */
export async function decodeFormFields(rawBody: Buffer | Uint8Array, contentType: string | null | undefined): Promise<MailgunFields> {
  checkSize(rawBody, MAX_EMAIL_TEXT_BYTES);
  const type = mediaType(contentType);
  const fields: MailgunFields = {};
  const add = (k: string, v: string) => {
    if (!Object.hasOwn(fields, k)) fields[k] = v;
  };
  if (type === "application/x-www-form-urlencoded") {
    for (const [k, v] of new URLSearchParams(decodeUtf8(rawBody))) add(k, v);
    return fields;
  }
  if (type === "multipart/form-data") {
    let form: FormData;
    try {
      // Copied into a plain Uint8Array: DOM-typed BodyInit (the web app build) does not accept a Node Buffer.
      form = await new Response(Uint8Array.from(rawBody), { headers: { "content-type": contentType ?? "" } }).formData();
    } catch (cause) {
      throw new AppError("bad_request", "request body is not valid multipart/form-data", { cause });
    }
    form.forEach((v, k) => {
      if (typeof v === "string") add(k, v);
    });
    return fields;
  }
  if (type !== null && isJson(type)) {
    const value = parseJsonBody(rawBody);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new AppError("validation_error", "e-mail inbound JSON must be an object of string fields", { path: "(root)" });
    }
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== "string") throw new AppError("validation_error", `e-mail inbound field ${k} must be a string`, { path: k });
      add(k, v);
    }
    return fields;
  }
  throw new AppError("unsupported_media_type", `unsupported content type for e-mail inbound: ${type ?? "none"}`);
}

function jsonBody(rawBody: Buffer | Uint8Array, contentType: string | null | undefined): unknown {
  const type = mediaType(contentType);
  if (type !== null && !isJson(type)) throw new AppError("unsupported_media_type", `expected application/json, got ${type}`);
  return parseJsonBody(rawBody);
}

/**
 * Parses a webhook body for a channel type. Signature verification is separate (the secret depends on
 * the channel, which is found from the parsed ids): `verifyMetaSignature`, `verifyMailgunSignature`
 * (on `decodeFormFields`' output), `verifyApiSignature`.
 *
 * Errors (`AppError`): `bad_request` for an empty / non-UTF-8 / malformed body, `validation_error`
 * (with `path`) for a well-formed body of the wrong shape, `unsupported_media_type` for a content type
 * the channel does not take, `payload_too_large` over 1 MiB (e-mail: `MAX_EMAIL_TEXT_BYTES`).
 */
export async function parseWebhook(
  type: ChannelType,
  rawBody: Buffer | Uint8Array,
  contentType: string | null | undefined,
  /** When the request arrived: the date of messages that carry none (API without `sent_at`, e-mail without Date). */
  receivedAt: Date = new Date(),
): Promise<ParsedWebhook> {
  checkSize(rawBody, type === "email" ? MAX_EMAIL_TEXT_BYTES : MAX_WEBHOOK_BYTES);
  switch (type) {
    case "whatsapp":
      return parseWhatsAppWebhook(jsonBody(rawBody, contentType));
    case "messenger":
    case "instagram":
      return parseMessagingWebhook(type, jsonBody(rawBody, contentType));
    case "api":
      return parseApiInbound(jsonBody(rawBody, contentType), receivedAt);
    case "email":
      return parseMailgunInbound(await decodeFormFields(rawBody, contentType), receivedAt);
    default: {
      const never: never = type;
      throw new AppError("not_found", `unknown channel type ${String(never)}`);
    }
  }
}
