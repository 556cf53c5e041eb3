import { ProviderSendError, requireString } from "./errors";
import { postJson } from "./http";
import { metaSendError } from "./meta-errors";
import { DEFAULT_GRAPH_API_BASE_URL, joinUrl, type SendRequest, type SendResult } from "./types";

export interface MessengerSendConfig {
  page_id?: string;
  api_base_url?: string;
}
export interface MessengerSendSecrets {
  page_access_token: string;
}
export interface InstagramSendConfig {
  instagram_account_id: string;
  api_base_url?: string;
}
export interface InstagramSendSecrets {
  access_token: string;
}

async function sendGraph(
  product: "messenger" | "instagram",
  req: SendRequest<unknown, unknown>,
  url: string,
  token: string,
  payload: unknown,
): Promise<SendResult> {
  const label = product === "messenger" ? "Messenger" : "Instagram";
  const res = await postJson(req.egress, url, { provider: label, timeoutMs: req.timeoutMs, headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(payload) });
  if (res.status < 200 || res.status >= 300) throw metaSendError(product, res.status, res.json, res.text);
  const id = (res.json as { message_id?: unknown } | undefined)?.message_id;
  if (typeof id !== "string" || id === "") {
    throw new ProviderSendError(`${label}: HTTP ${res.status} without message_id`, { retryable: false, kind: "bad_response", status: res.status });
  }
  return { externalId: id };
}

/**
 * Messenger Send API: `POST {api_base_url}/me/messages` (the page is the token's page) with
 * `Authorization: Bearer <page_access_token>` (not `?access_token=`, so the token stays out of URLs
 * and logs) and `{recipient:{id}, messaging_type:"RESPONSE", message:{text}}`; returns `message_id`.
 */
export async function sendMessengerText(req: SendRequest<MessengerSendConfig, MessengerSendSecrets>): Promise<SendResult> {
  const token = requireString(req.secrets.page_access_token, "page_access_token", "Messenger");
  const url = joinUrl(req.config.api_base_url || DEFAULT_GRAPH_API_BASE_URL, "me", "messages");
  return sendGraph("messenger", req, url, token, { recipient: { id: req.to }, messaging_type: "RESPONSE", message: { text: req.body } });
}

/**
 * Instagram messaging: `POST {api_base_url}/{instagram_account_id}/messages` with
 * `Authorization: Bearer <access_token>` and `{recipient:{id}, message:{text}}`; returns `message_id`.
 */
export async function sendInstagramText(req: SendRequest<InstagramSendConfig, InstagramSendSecrets>): Promise<SendResult> {
  const accountId = requireString(req.config.instagram_account_id, "instagram_account_id", "Instagram");
  const token = requireString(req.secrets.access_token, "access_token", "Instagram");
  const url = joinUrl(req.config.api_base_url || DEFAULT_GRAPH_API_BASE_URL, accountId, "messages");
  return sendGraph("instagram", req, url, token, { recipient: { id: req.to }, message: { text: req.body } });
}
