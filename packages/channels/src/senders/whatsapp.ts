import { ProviderSendError, requireString } from "./errors";
import { postJson } from "./http";
import { metaSendError, WINDOW_MESSAGES, WHATSAPP_WINDOW_CODE } from "./meta-errors";
import { DEFAULT_GRAPH_API_BASE_URL, joinUrl, type SendRequest, type SendResult } from "./types";
import { isOutsideWhatsAppWindow } from "./window";

export interface WhatsAppSendConfig {
  phone_number_id: string;
  api_base_url?: string;
}
export interface WhatsAppSendSecrets {
  access_token: string;
}
export interface WhatsAppSendRequest extends SendRequest<WhatsAppSendConfig, WhatsAppSendSecrets> {
  /**
   * When given (even null), the 24-hour window is checked before calling Meta and a closed window
   * fails fast with the same non-retryable `window_closed` error Meta's 131047 maps to.
   */
  lastInboundAt?: Date | null;
  now?: Date;
}


/**
 * WhatsApp Cloud API text message: `POST {api_base_url}/{phone_number_id}/messages` with
 * `Authorization: Bearer <access_token>` and
 * `{messaging_product:"whatsapp", recipient_type:"individual", to, type:"text", text:{body}}`;
 * returns `messages[0].id` (the wamid). Meta usually reports a closed 24-hour window asynchronously
 * (a `failed` status with error 131047); when it answers synchronously it is mapped the same way.
 */
export async function sendWhatsAppText(req: WhatsAppSendRequest): Promise<SendResult> {
  const phoneNumberId = requireString(req.config.phone_number_id, "phone_number_id", "WhatsApp");
  const token = requireString(req.secrets.access_token, "access_token", "WhatsApp");
  if (req.lastInboundAt !== undefined && isOutsideWhatsAppWindow(req.lastInboundAt, req.now)) {
    throw new ProviderSendError(WINDOW_MESSAGES.whatsapp, { retryable: false, kind: "window_closed", providerCode: WHATSAPP_WINDOW_CODE });
  }
  const url = joinUrl(req.config.api_base_url || DEFAULT_GRAPH_API_BASE_URL, phoneNumberId, "messages");
  const res = await postJson(req.egress, url, {
    provider: "WhatsApp",
    timeoutMs: req.timeoutMs,
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ messaging_product: "whatsapp", recipient_type: "individual", to: req.to, type: "text", text: { body: req.body } }),
  });
  if (res.status < 200 || res.status >= 300) throw metaSendError("whatsapp", res.status, res.json, res.text);
  const id = (res.json as { messages?: Array<{ id?: unknown }> } | undefined)?.messages?.[0]?.id;
  if (typeof id !== "string" || id === "") {
    // The message may have gone out: retrying could send it twice.
    throw new ProviderSendError(`WhatsApp: HTTP ${res.status} without messages[0].id`, { retryable: false, kind: "bad_response", status: res.status });
  }
  return { externalId: id };
}
