import { randomUUID } from "node:crypto";
import { boundedSnippet } from "@alfred/egress";
import { signApiBody } from "../api/generic";
import { ProviderSendError, requireString } from "./errors";
import { postJson } from "./http";
import type { SendRequest, SendResult } from "./types";

export interface ApiSendConfig {
  channel_id?: string;
  /** Where outbound messages are POSTed; without it the channel is receive-only. */
  send_url?: string;
}
export interface ApiSendSecrets {
  secret: string;
}

/**
 * API channel outbound: `POST send_url` with
 * `{channel_id, message_id, to, text, sent_at}` signed like inbound traffic
 * (`X-Alfred-Signature: sha256=<hex HMAC-SHA256(raw body, channel secret)>`), plus
 * `Idempotency-Key: <message_id>`. A 2xx answer may name the receiver's id as `external_id` or `id`;
 * otherwise the message id Alfred sent is used. 429 / 5xx / timeouts are retryable, other statuses not.
 */
export async function sendApiMessage(req: SendRequest<ApiSendConfig, ApiSendSecrets>): Promise<SendResult> {
  if (!req.config.send_url) {
    throw new ProviderSendError("this API channel has no send_url", { retryable: false, kind: "config" });
  }
  const secret = requireString(req.secrets.secret, "secret", "API channel");
  const messageId = req.idempotencyKey ?? randomUUID();
  const body = JSON.stringify({
    channel_id: req.config.channel_id ?? null,
    message_id: messageId,
    to: req.to,
    text: req.body,
    sent_at: new Date().toISOString(),
  });
  const res = await postJson(req.egress, req.config.send_url, {
    provider: "API channel",
    timeoutMs: req.timeoutMs,
    headers: { "x-alfred-signature": signApiBody(body, secret), "idempotency-key": messageId },
    body,
  });
  if (res.status < 200 || res.status >= 300) {
    const retryable = res.status === 429 || res.status >= 500;
    const detail = boundedSnippet(res.text);
    throw new ProviderSendError(`API channel send_url answered HTTP ${res.status}${detail ? `: ${detail}` : ""}`, {
      retryable,
      kind: res.status === 429 ? "rate_limited" : res.status === 401 || res.status === 403 ? "auth" : "provider",
      status: res.status,
    });
  }
  const json = (res.json ?? {}) as { external_id?: unknown; id?: unknown };
  const id = typeof json.external_id === "string" && json.external_id ? json.external_id : typeof json.id === "string" && json.id ? json.id : messageId;
  return { externalId: id };
}
