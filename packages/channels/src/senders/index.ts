import type { ChannelType } from "../types";
import { sendApiMessage } from "./api";
import { sendEmail } from "./email";
import { sendInstagramText, sendMessengerText } from "./messaging";
import type { SendRequest, SendResult } from "./types";
import { sendWhatsAppText } from "./whatsapp";

/** What the worker passes for any channel: the channel's stored config and decrypted secrets, as-is. */
export interface SendMessageInput extends SendRequest<Record<string, unknown>, Record<string, unknown>> {
  /** WhatsApp only: the last inbound message of the conversation, to fail fast outside the 24 h window. */
  lastInboundAt?: Date | null;
  now?: Date;
}

/** A string field of untyped config, else undefined (a wrong type counts as missing). */
function str(record: Record<string, unknown>, key: string): string | undefined {
  const v = record[key];
  return typeof v === "string" ? v : undefined;
}

/**
 * Sends a text message through the channel type's sender. Resolves to the provider's message id or
 * rejects with a `ProviderSendError` (`retryable` tells the worker whether to try again). Missing or
 * mistyped config fields are non-retryable `config` failures. Secrets are read from `secrets`, falling
 * back to `config` (so a caller that keeps everything in one decrypted object works too).
 */
export function sendMessage(type: ChannelType, input: SendMessageInput): Promise<SendResult> {
  const { config, secrets } = input;
  const secret = (key: string) => str(secrets, key) ?? str(config, key) ?? "";
  const base = { egress: input.egress, to: input.to, body: input.body, threading: input.threading, timeoutMs: input.timeoutMs, idempotencyKey: input.idempotencyKey };
  switch (type) {
    case "whatsapp":
      return sendWhatsAppText({
        ...base,
        config: { phone_number_id: str(config, "phone_number_id") ?? "", api_base_url: str(config, "api_base_url") },
        secrets: { access_token: secret("access_token") },
        ...(input.lastInboundAt !== undefined ? { lastInboundAt: input.lastInboundAt } : {}),
        ...(input.now ? { now: input.now } : {}),
      });
    case "messenger":
      return sendMessengerText({
        ...base,
        config: { page_id: str(config, "page_id"), api_base_url: str(config, "api_base_url") },
        secrets: { page_access_token: secret("page_access_token") },
      });
    case "instagram":
      return sendInstagramText({
        ...base,
        config: { instagram_account_id: str(config, "instagram_account_id") ?? "", api_base_url: str(config, "api_base_url") },
        secrets: { access_token: secret("access_token") },
      });
    case "email":
      return sendEmail({
        ...base,
        config: { inbound_address: str(config, "inbound_address"), from_address: str(config, "from_address") },
        secrets: { smtp_url: secret("smtp_url") || undefined },
      });
    case "api":
      return sendApiMessage({
        ...base,
        config: { channel_id: str(config, "channel_id"), send_url: str(config, "send_url") },
        secrets: { secret: secret("secret") },
      });
    default: {
      const never: never = type;
      return Promise.reject(new Error(`unknown channel type ${String(never)}`));
    }
  }
}
