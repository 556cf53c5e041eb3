import { apiInboundSchema, CHANNEL_TYPES, MAILGUN_MAX_MESSAGE_BYTES, mailgunFieldsSchema, MAX_EMAIL_POST_BYTES, MAX_WEBHOOK_BYTES, messagingWebhookSchema, whatsAppWebhookSchema } from "@alfred/channels";
import { z } from "zod";
import type { ZodOpenApiPathsObject, ZodOpenApiResponseObject } from "zod-openapi";
import { CALLBACK_ACTION_NAMES, CALLBACK_ACTIONS } from "../callbacks/actions";
import { MAX_CALLBACK_BYTES } from "../callbacks/handler";
import { errorEnvelope, HEADER_REFS } from "./openapi-errors";

/**
 * The operations that are not tRPC procedures: signed callbacks from automation destinations and
 * provider webhooks (handlers in ../callbacks and ../intake). Their bodies reuse the schemas the
 * handlers validate with, so a new callback action or provider field shows up here by itself.
 */

const SIGNED_STRING = "`{X-Alfred-Timestamp}.{X-Alfred-Event-Id}.{X-Alfred-Tenant-Id}.{raw body}`";

export const CALLBACK_SIGNATURE_SCHEME = {
  type: "apiKey",
  in: "header",
  name: "X-Alfred-Signature",
  description: [
    `Callbacks are signed, not authenticated by a token: \`X-Alfred-Signature: sha256=<hex>\`, the lowercase hex HMAC-SHA256 of ${SIGNED_STRING}`,
    "keyed with the destination's secret exactly as shown when it was created or rotated (its UTF-8 bytes, `whsec_` prefix included).",
    "The timestamp is signed as the header text; during a secret rotation either secret verifies. `pnpm automation:sign-callback` prints a signed example.",
  ].join(" "),
} as const;

const correlationHeader = { "X-Correlation-Id": HEADER_REFS.correlationId };

function jsonError(description: string, headers: Record<string, unknown> = {}): ZodOpenApiResponseObject {
  return { description, headers: { ...correlationHeader, ...headers } as never, content: { "application/json": { schema: errorEnvelope } } };
}

const idempotentReplayHeader = {
  "X-Alfred-Idempotent-Replay": {
    description: "`true` when this is the stored answer of an earlier callback with the same destination and event id (nothing was done again).",
    required: false,
    schema: { type: "string", enum: ["true"] },
  },
};

const callbackHeaders = z.object({
  "X-Alfred-Destination-Id": z.uuid().meta({ description: "The destination the callback comes from (its id is in every delivery and on its page)." }),
  "X-Alfred-Event-Id": z
    .string()
    .min(1)
    .max(200)
    .meta({ description: "Idempotency key: the first callback with an event id acts, repeats get its stored answer. Equal to `event_id` (or `correlation_id`) in the body." }),
  "X-Alfred-Tenant-Id": z.uuid().meta({ description: "The workspace; equal to `tenant_id` in the body and the destination's workspace." }),
  "X-Alfred-Timestamp": z
    .string()
    .regex(/^[0-9]{1,12}$/)
    .meta({ description: "Unix seconds when the callback was signed; refused outside the replay window (five minutes by default)." }),
  "X-Alfred-Signature": z
    .string()
    .meta({ description: `\`sha256=<hex>\`: the lowercase hex HMAC-SHA256 of ${SIGNED_STRING} with the destination's secret; comma-separated values (one per secret) are accepted.` }),
});

const callbackRequest = z
  .discriminatedUnion(
    "action",
    CALLBACK_ACTION_NAMES.map((action) =>
      z.object({
        tenant_id: z.uuid().meta({ description: "Equal to X-Alfred-Tenant-Id." }),
        event_id: z.string().max(200).optional().meta({ description: "Equal to X-Alfred-Event-Id; `correlation_id` may stand in for it." }),
        correlation_id: z.string().max(200).optional().meta({ description: "The outbound event this answers (its id links the callback to it in the timeline)." }),
        action: z.literal(action),
        params: CALLBACK_ACTIONS[action].params.meta({ description: "The action's parameters (`payload` is accepted as an alias)." }),
      }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
  .meta({ id: "CallbackRequest", description: "One action for Alfred to take, with the parameters of that action." });

const callbackResult = z
  .object({ ok: z.literal(true), action: z.enum(CALLBACK_ACTION_NAMES as [string, ...string[]]), event_id: z.string(), result: z.record(z.string(), z.string()) })
  .meta({ id: "CallbackResult", description: "The action was taken; `result` holds the ids of what it created or changed (e.g. `task_id`)." });

const webhookAck = z
  .object({
    ok: z.literal(true),
    received: z.number().int().meta({ description: "Receipts stored by this request (one per channel and sender)." }),
    duplicates: z.number().int().meta({ description: "Receipts already stored by an earlier delivery of the same body." }),
    ignored: z.number().int().meta({ description: "Items for disabled channels, acknowledged and not stored." }),
  })
  .meta({ id: "WebhookAck" });

const channelType = z.object({ channel_type: z.enum(CHANNEL_TYPES).meta({ description: "The kind of channel the provider posts for." }) });

export const signedOperations: ZodOpenApiPathsObject = {
  "/automations/callbacks": {
    post: {
      operationId: "callbacks-receive",
      tags: ["automations"],
      summary: "Receive a signed callback from an automation destination (Activepieces flows)",
      description: [
        "A flow asks Alfred to act: create a task, change a conversation's status, add an internal comment, send a message, update a contact.",
        `The checks, in order: destination and signature (401 \`invalid_signature\`), timestamp window (401 \`stale_timestamp\`), tenant (403 \`tenant_mismatch\`), destination enabled (403 \`destination_disabled\`), action and params (422 \`validation_error\` naming the field).`,
        "Exactly once per destination and X-Alfred-Event-Id: a repeat gets the stored answer with `X-Alfred-Idempotent-Replay: true`; a repeat while the first is still running waits, then gets 409 `callback_in_progress` with Retry-After.",
        `Bodies are limited to ${MAX_CALLBACK_BYTES / 1024} KiB. Also served at \`/v1/automations/callbacks\`.`,
      ].join(" "),
      security: [{ callbackSignature: [] }],
      requestParams: { header: callbackHeaders },
      requestBody: { required: true, content: { "application/json": { schema: callbackRequest } } },
      responses: {
        "200": { description: "The action was taken (or this is the stored answer of the first callback with this event id).", headers: { ...correlationHeader, ...idempotentReplayHeader } as never, content: { "application/json": { schema: callbackResult } } },
        "400": jsonError("`bad_request`: the body is not JSON."),
        "401": jsonError("`invalid_signature` (unknown destination, missing header or a signature that does not verify: indistinguishable on purpose) or `stale_timestamp`."),
        "403": jsonError("`tenant_mismatch` (the destination, X-Alfred-Tenant-Id and `tenant_id` disagree) or `destination_disabled`."),
        "404": jsonError("`not_found`: what the params name (conversation, contact, user) is not in this workspace; nothing is stored, so a corrected callback may reuse the event id."),
        "409": jsonError("`callback_in_progress` (the first callback with this event id is still running: retry after Retry-After), or the action conflicts with the current state (stored, replayed on repeats).", {
          "Retry-After": { ...HEADER_REFS.retryAfter, description: "With `callback_in_progress`." },
          ...idempotentReplayHeader,
        }),
        "413": jsonError(`\`payload_too_large\`: the body is larger than ${MAX_CALLBACK_BYTES / 1024} KiB.`),
        "422": jsonError("`validation_error`: unknown action, invalid params (`error.path` names the field, e.g. `params.conversation_id`), or an event id that differs from the header.", idempotentReplayHeader),
      },
    },
  },
  "/attachments/{id}/content": {
    get: {
      operationId: "attachments-content",
      tags: ["conversations"],
      summary: "The bytes of a message's file (e-mail attachment or media), to signed-in members of its tenant",
      description: [
        "Served as stored: raster images (PNG, JPEG, GIF, WebP, AVIF) `inline`, everything else with `Content-Disposition: attachment`; always `X-Content-Type-Options: nosniff`.",
        "Authenticated like every operation (bearer token or API key) or by the browser session of the web app. Another workspace's attachment is 404.",
      ].join(" "),
      requestParams: { path: z.object({ id: z.uuid() }) },
      responses: {
        "200": {
          description: "The file.",
          headers: {
            ...correlationHeader,
            "Content-Disposition": { description: '`inline` or `attachment`, with `filename` and `filename*` (RFC 6266).', required: true, schema: { type: "string" } },
            "X-Content-Type-Options": { description: "Always `nosniff`.", required: true, schema: { type: "string", enum: ["nosniff"] } },
          } as never,
          content: { "*/*": { schema: z.string().meta({ format: "binary" }) } },
        },
        "401": jsonError("`unauthorized`: not signed in, or the account no longer has access."),
        "404": jsonError("`not_found`: no such attachment in this workspace, or it is not stored (still being fetched, or failed: the message says why)."),
      },
    },
  },
  "/webhooks/{channel_type}": {
    get: {
      operationId: "webhooks-verify",
      tags: ["webhooks"],
      summary: "Meta's subscription handshake: echo hub.challenge when a channel of this type has the verify token",
      security: [],
      requestParams: {
        path: channelType,
        query: z.object({
          "hub.mode": z.literal("subscribe"),
          "hub.verify_token": z.string().min(1).meta({ description: "The verify token configured on the channel." }),
          "hub.challenge": z.string().regex(/^[A-Za-z0-9._~-]{1,256}$/),
        }),
      },
      responses: {
        "200": { description: "The challenge, echoed.", content: { "text/plain": { schema: z.string() } } },
        "403": { description: "No channel of this type has this verify token, or a parameter is missing or malformed.", content: { "text/plain": { schema: z.literal("forbidden") } } },
      },
    },
    post: {
      operationId: "webhooks-receive",
      tags: ["webhooks"],
      summary: "Receive a provider webhook: verified, stored, acknowledged; turned into messages in the background",
      description: [
        "The signature is checked on the raw bytes before the body is judged: `X-Hub-Signature-256` (WhatsApp, Messenger, Instagram: HMAC-SHA256 of the body with the app secret),",
        "`X-Alfred-Signature` (the API channel: `sha256=<hex HMAC-SHA256 of the body with the channel secret>`), or Mailgun's `timestamp`, `token` and `signature` form fields (e-mail).",
        "A re-delivery is answered 200 and stored once. A signed provider body Alfred cannot read is stored and parked for an admin (so the provider does not retry it for days); only the API channel gets 422 for it.",
        `Bodies are limited to ${MAX_WEBHOOK_BYTES / 1024} KiB, except e-mail posts (multipart or urlencoded, as Mailgun sends them: up to ${MAX_EMAIL_POST_BYTES / 1024 / 1024} MiB for Mailgun's ${MAILGUN_MAX_MESSAGE_BYTES / 1024 / 1024} MB messages), which are streamed and whose attachments are kept.`,
      ].join(" "),
      security: [],
      requestParams: {
        path: channelType,
        header: z.object({
          "X-Hub-Signature-256": z.string().optional().meta({ description: "WhatsApp, Messenger, Instagram: `sha256=<hex HMAC-SHA256(raw body, app secret)>`." }),
          "X-Alfred-Signature": z.string().optional().meta({ description: "API channel: `sha256=<hex HMAC-SHA256(raw body, channel secret)>`." }),
        }),
      },
      requestBody: {
        required: true,
        content: {
          "application/json": { schema: z.union([apiInboundSchema.meta({ id: "ApiChannelMessage" }), whatsAppWebhookSchema, messagingWebhookSchema]) },
          "application/x-www-form-urlencoded": { schema: mailgunFieldsSchema.meta({ id: "MailgunInbound" }) },
          "multipart/form-data": { schema: mailgunFieldsSchema },
        },
      },
      responses: {
        "200": { description: "Stored (or already stored); the provider must not retry.", headers: correlationHeader as never, content: { "application/json": { schema: webhookAck } } },
        "400": jsonError("`bad_request`: the body is not JSON (or not a readable form)."),
        "401": jsonError("`invalid_signature`: the signature is missing or wrong, the body names no account to check it against, or a Mailgun token was used before."),
        "404": jsonError("`not_found`: an unknown channel type, or no channel is connected for the account the body names."),
        "413": jsonError(`\`payload_too_large\`: the body is larger than ${MAX_WEBHOOK_BYTES / 1024} KiB (an e-mail post: see the description).`),
        "415": jsonError("`unsupported_media_type`: a JSON channel's body is not `application/json`."),
        "422": jsonError("`validation_error` (API channel only): a signed body that is not a valid message; `error.path` names the field."),
        "503": jsonError("`unavailable`: the webhook could not be stored; nothing was acknowledged, retry later."),
      },
    },
  },
};

type HeaderParameter = { name: string; in: "header"; required: boolean; description: string; schema: { type: "string"; format?: string } };
const header = (name: string, description: string, format?: string): HeaderParameter => ({ name, in: "header", required: true, description, schema: { type: "string", ...(format ? { format } : {}) } });

/**
 * Every header of an outbound delivery (`buildDeliveryHeaders` in @alfred/automation), in the order
 * they are documented in the README and the "How to verify" panel.
 */
export const DELIVERY_HEADERS: HeaderParameter[] = [
  header("X-Alfred-Event-Id", "The event id: the idempotency key of the receiver (the same event may arrive twice) and the `X-Alfred-Event-Id` of a callback answering it.", "uuid"),
  header("X-Alfred-Tenant-Id", "The workspace the event belongs to.", "uuid"),
  header("X-Alfred-Destination-Id", "The destination this delivery goes to. Not secret: a flow sends it back as the `X-Alfred-Destination-Id` of its callbacks.", "uuid"),
  header("X-Alfred-Timestamp", "Unix seconds when this attempt was signed; receivers refuse ones far from their clock (replays)."),
  header("X-Alfred-Signature", `\`sha256=<hex>\` HMAC-SHA256 of ${SIGNED_STRING} keyed with the destination secret as shown; comma-separated, one per valid secret, during a rotation.`),
  header(
    "X-Alfred-Body-Signature",
    "`sha256=<hex>` HMAC-SHA256 of the raw body alone, with ONE secret (what Activepieces' Catch Webhook HMAC mode checks): through a rotation's overlap the previous secret, until it ends or an admin confirms the new one (`POST /automations/destinations/{id}/confirm-new-secret`).",
  ),
  header("webhook-id", "Standard Webhooks: the event id."),
  header("webhook-timestamp", "Standard Webhooks: unix seconds, as `X-Alfred-Timestamp`."),
  header("webhook-signature", "Standard Webhooks: `v1,<base64>` per valid secret, space-separated; verifiable with the standardwebhooks and svix libraries and the `whsec_` secret."),
  header("X-Correlation-Id", "Traces the request that caused the event."),
  header("User-Agent", "`Alfred-Webhooks/<format version>`."),
];

/**
 * The OpenAPI 3.1 `webhooks` entry for what Alfred POSTs to a destination: the headers above and the
 * event envelope (`envelope`: the schema `GET /automations/event-types/{type}/sample` answers with).
 */
export function deliveryWebhooks(envelope: unknown): Record<string, unknown> {
  return {
    automationDelivery: {
      post: {
        operationId: "automation-delivery",
        tags: ["automations"],
        summary: "An event delivered to an automation destination (Alfred POSTs this to the destination's URL)",
        description:
          "One signed POST per event and subscribed destination. A destination with a static credential also sends it: `Authorization: Basic <base64 username:password>` or its named header with the credential's value. Answer 2xx to acknowledge; anything else (or no answer within the delivery timeout) is retried on the retry schedule, 410 Gone disables the destination. Redirects are not followed.",
        security: [],
        parameters: DELIVERY_HEADERS,
        requestBody: { required: true, content: { "application/json": { schema: envelope } } },
        responses: { "200": { description: "Any 2xx acknowledges the delivery." }, "410": { description: "The receiver is gone: the destination is disabled." } },
      },
    },
  };
}
