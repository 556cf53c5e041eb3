export * from "./types";
export { verifyMetaSignature, parseHubChallenge, META_SIGNATURE_HEADER, type HubChallenge } from "./meta/signature";
export {
  parseWhatsAppWebhook,
  whatsAppBody,
  whatsAppWebhookSchema,
  whatsAppValueSchema,
  whatsAppMessageSchema,
  whatsAppStatusSchema,
  type WhatsAppMessage,
} from "./meta/whatsapp";
export { parseMessagingWebhook, messagingWebhookSchema, messagingMessageEventSchema, messagingMessageSchema, type MessagingChannel } from "./meta/messaging";
export { parseMailgunInbound, verifyMailgunSignature, mailgunRecipient, mailgunFieldsSchema, type MailgunFields } from "./email/mailgun";
export {
  MAILGUN_MAX_MESSAGE_BYTES,
  MAX_EMAIL_POST_BYTES,
  MAX_EMAIL_ATTACHMENT_BYTES,
  MAX_EMAIL_TEXT_BYTES,
  MAX_EMAIL_ATTACHMENTS,
  STORED_ATTACHMENTS_FIELD,
  storedAttachmentSchema,
  type StoredEmailAttachment,
} from "./email/limits";
export { parseAddress, parseAddressList, normalizeMessageId, parseMessageIdList, type ParsedAddress } from "./email/address";
export { parseApiInbound, verifyApiSignature, signApiBody, apiInboundSchema, API_SIGNATURE_HEADER, type ApiInbound } from "./api/generic";
export { parseWebhook, decodeFormFields, mediaType } from "./webhook";
export { parseJsonBody, MAX_WEBHOOK_BYTES } from "./util/validation";
export { hmacSha256Hex, signSha256Header, timingSafeStringEqual } from "./util/crypto";
export { ProviderSendError, isProviderSendError, type SendFailureKind } from "./senders/errors";
export { DEFAULT_GRAPH_API_BASE_URL, type OutboundThreading, type SendRequest, type SendResult } from "./senders/types";
export { DEFAULT_SEND_TIMEOUT_MS } from "./senders/http";
export { metaSendError, WHATSAPP_WINDOW_CODE } from "./senders/meta-errors";
export { sendWhatsAppText, type WhatsAppSendConfig, type WhatsAppSendSecrets, type WhatsAppSendRequest } from "./senders/whatsapp";
export {
  sendMessengerText,
  sendInstagramText,
  type MessengerSendConfig,
  type MessengerSendSecrets,
  type InstagramSendConfig,
  type InstagramSendSecrets,
} from "./senders/messaging";
export { sendEmail, replySubject, type EmailSendConfig, type EmailSendSecrets } from "./senders/email";
export { sendApiMessage, type ApiSendConfig, type ApiSendSecrets } from "./senders/api";
export { sendMessage, type SendMessageInput } from "./senders/index";
export { isOutsideWhatsAppWindow, WHATSAPP_WINDOW_MS } from "./senders/window";
// Test helpers (local fake providers) so crm / e2e integration tests can reuse them.
export {
  startFakeGraphApi,
  graphError,
  whatsAppWindowError,
  type FakeGraphApi,
  type FakeGraphApiOptions,
  type FakeGraphReply,
  type FakeGraphRequest,
  type FakeGraphSent,
} from "./testing/fake-graph-api";
export { startFakeSmtpServer, type FakeSmtpServer, type FakeSmtpMessage } from "./testing/fake-smtp-server";
export { webhookAccountIds, groupBySender, itemsOf, statusOrderingKey, type SenderItems } from "./intake";
export { inboundMediaRefs } from "./media-ref";
export { openInboundMedia, MediaFetchError, type OpenedMedia } from "./media-fetch";
