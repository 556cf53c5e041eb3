import type { EgressClient } from "@alfred/egress";

/** Threading data for a reply (used by e-mail; ignored by the other channels). Ids with or without `<>`. */
export interface OutboundThreading {
  /** Subject of the conversation; the reply gets `Re: <subject>` (once). */
  subject?: string;
  /** Message-Id of the message being answered. */
  inReplyTo?: string | null;
  /** The References chain of that message (its own Message-Id is appended if missing). */
  references?: string[];
}

export interface SendRequest<Config, Secrets> {
  /** The guarded client every provider call goes through (the URLs may be tenant-chosen). */
  egress: EgressClient;
  /** Non-secret channel config (ids, `api_base_url`, ...). */
  config: Config;
  /** Decrypted secrets (tokens, SMTP URL with credentials, signing secret). */
  secrets: Secrets;
  /** Recipient: wa_id / phone, PSID, IGSID, e-mail address, or the API channel's contact id. */
  to: string;
  body: string;
  threading?: OutboundThreading;
  /** Whole-request timeout; default 10 s. */
  timeoutMs?: number;
  /** Alfred's id for this outbound message (sent to API channels so receivers can deduplicate). */
  idempotencyKey?: string;
}

export interface SendResult {
  /** The provider's id of the sent message (wamid, mid, Message-Id without brackets, ...). */
  externalId: string;
}

export const DEFAULT_GRAPH_API_BASE_URL = "https://graph.facebook.com/v21.0";

export function joinUrl(base: string, ...segments: string[]): string {
  return `${base.replace(/\/+$/, "")}/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
}
