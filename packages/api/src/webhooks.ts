import {
  decodeFormFields,
  isChannelType,
  mailgunRecipient,
  MAX_WEBHOOK_BYTES,
  parseHubChallenge,
  parseMailgunInbound,
  parseWebhook,
  verifyApiSignature,
  verifyMailgunSignature,
  verifyMetaSignature,
  type ChannelType,
  type ParsedWebhook,
} from "@alfred/channels";
import { AppError, CORRELATION_HEADER, correlationIdFrom, errorBody, isAppError } from "@alfred/core";
import { applyStatusUpdate, decryptChannelSecrets, findChannelByAccount, hasChannelWithVerifyToken, ingestMessage, newScope } from "@alfred/crm";
import { and, eq, type DbOrTx } from "@alfred/db";
import { channels, inboundWebhookTokens } from "@alfred/db/schema";
import type { ApiDeps } from "./context";
import { readBodyLimited } from "./read-body";

type ChannelRow = typeof channels.$inferSelect;

const json = (status: number, body: unknown, correlationId: string, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { [CORRELATION_HEADER]: correlationId, ...headers } });

function readBody(request: Request): Promise<Buffer> {
  return readBodyLimited(request, MAX_WEBHOOK_BYTES, `webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes`);
}

/** Meta's subscription handshake: echo the challenge when a channel of this type has the verify token. */
export async function handleWebhookVerification(request: Request, type: string, deps: ApiDeps): Promise<Response> {
  const challenge = parseHubChallenge(new URL(request.url).searchParams);
  if (!isChannelType(type) || !challenge || !(await hasChannelWithVerifyToken(deps.db, type, challenge.verifyToken))) {
    return new Response("forbidden", { status: 403, headers: { "content-type": "text/plain" } });
  }
  return new Response(challenge.challenge, { status: 200, headers: { "content-type": "text/plain" } });
}

interface Authenticated {
  parsed: ParsedWebhook;
  /** Channels by the account id the payload names. */
  channels: Map<string, ChannelRow>;
  /** Mailgun token to claim before anything is stored (replay protection). */
  mailgunToken?: { channelId: string; token: string };
}

const INVALID_SIGNATURE = () => new AppError("invalid_signature", "the webhook signature does not match");

/**
 * Finds the channel(s) from the payload's own identifiers, then verifies the request with that
 * channel's secret on the raw bytes. Nothing is stored before this succeeds.
 */
async function authenticate(deps: ApiDeps, type: ChannelType, request: Request, raw: Buffer): Promise<Authenticated> {
  const contentType = request.headers.get("content-type");
  if (type === "email") {
    const fields = await decodeFormFields(raw, contentType);
    const recipient = mailgunRecipient(fields);
    const channel = recipient ? await findChannelByAccount(deps.db, "email", recipient) : null;
    if (!channel) throw new AppError("not_found", "no e-mail channel receives at this address");
    if (!verifyMailgunSignature(fields, decryptChannelSecrets(deps.keys, channel).signing_key)) throw INVALID_SIGNATURE();
    const parsed = parseMailgunInbound(fields);
    const byAccount = new Map(parsed.messages.map((m) => [m.channelAccountId, channel] as const));
    return { parsed, channels: byAccount, mailgunToken: { channelId: channel.id, token: String(fields.token) } };
  }

  if (type === "api") {
    const parsed = await parseWebhook("api", raw, contentType);
    const channelId = parsed.messages[0]!.channelAccountId;
    const [channel] = /^[0-9a-f-]{36}$/i.test(channelId) ? await deps.db.select().from(channels).where(and(eq(channels.type, "api"), eq(channels.id, channelId))) : [];
    if (!channel) throw new AppError("not_found", "no API channel with this channel_id");
    if (!verifyApiSignature(raw, request.headers.get("x-alfred-signature"), decryptChannelSecrets(deps.keys, channel).secret)) throw INVALID_SIGNATURE();
    return { parsed, channels: new Map([[channelId, channel]]) };
  }

  // Meta: one app secret signs the whole body; every channel it names must verify it.
  const parsed = await parseWebhook(type, raw, contentType);
  const accountIds = new Set([...parsed.messages, ...parsed.statuses].map((item) => item.channelAccountId));
  const found = new Map<string, ChannelRow>();
  for (const accountId of accountIds) {
    const channel = await findChannelByAccount(deps.db, type, accountId);
    if (channel) found.set(accountId, channel);
  }
  if (accountIds.size > 0 && found.size === 0) throw new AppError("not_found", `no ${type} channel is connected for this account`);
  const header = request.headers.get("x-hub-signature-256");
  for (const channel of found.values()) {
    if (!verifyMetaSignature(raw, header, decryptChannelSecrets(deps.keys, channel).app_secret)) throw INVALID_SIGNATURE();
  }
  if (found.size === 0 && !header) throw INVALID_SIGNATURE();
  return { parsed, channels: found };
}

/**
 * `POST /api/v1/webhooks/{channel_type}`. Answers 200 only after every message and status in the
 * request is committed; a re-delivery stores nothing new (unique provider message id).
 */
export async function handleWebhook(request: Request, type: string, deps: ApiDeps): Promise<Response> {
  const correlationId = correlationIdFrom(request.headers.get(CORRELATION_HEADER));
  try {
    if (!isChannelType(type)) throw new AppError("not_found", `unknown channel type "${type}"`);
    const raw = await readBody(request);
    const { parsed, channels: byAccount, mailgunToken } = await authenticate(deps, type, request, raw);
    const beforeStore = mailgunToken ? (tx: DbOrTx) => claimMailgunToken(tx, mailgunToken) : undefined;
    return json(200, { ok: true, ...(await store(deps, parsed, byAccount, correlationId, beforeStore)) }, correlationId);
  } catch (err) {
    if (isAppError(err)) {
      deps.logger.info({ channel_type: type, code: err.code, correlation_id: correlationId }, "webhook rejected");
      return json(err.status, errorBody(err.code, err.message, correlationId, err.path), correlationId);
    }
    deps.logger.error({ err, channel_type: type, correlation_id: correlationId }, "webhook failed");
    return json(500, errorBody("internal_error", "internal error", correlationId), correlationId);
  }
}

/**
 * Claims a Mailgun token inside the transaction that stores the message. The insert itself is the
 * check (unique key), so concurrent replays of one signed request cannot both pass, even with
 * different bodies (Mailgun's signature covers only timestamp + token); and a failure or crash
 * before commit releases the token with the rollback, so Mailgun's genuine retry still goes through.
 */
async function claimMailgunToken(tx: DbOrTx, claim: { channelId: string; token: string }): Promise<void> {
  const inserted = await tx.insert(inboundWebhookTokens).values(claim).onConflictDoNothing().returning({ token: inboundWebhookTokens.token });
  if (inserted.length === 0) throw new AppError("invalid_signature", "this webhook token was already used (replayed request)");
}

/** Stores every message and status of an authenticated request, each in its own transaction. */
async function store(deps: ApiDeps, parsed: ParsedWebhook, byAccount: Map<string, ChannelRow>, correlationId: string, beforeStore?: (tx: DbOrTx) => Promise<void>) {
  const summary = { messages: 0, duplicates: 0, statuses: 0, ignored: 0 };
  for (const inbound of parsed.messages) {
    const channel = byAccount.get(inbound.channelAccountId);
    if (!channel || !channel.enabled) {
      summary.ignored++;
      continue;
    }
    const scope = newScope(channel.tenantId, { type: "system", id: null }, correlationId);
    const result = await ingestMessage(deps.db, scope, channel, inbound, { beforeStore });
    if (result.duplicate) summary.duplicates++;
    else summary.messages++;
    await deps.producer.flush(scope.effects, correlationId);
  }
  for (const status of parsed.statuses) {
    const channel = byAccount.get(status.channelAccountId);
    if (!channel) {
      summary.ignored++;
      continue;
    }
    const scope = newScope(channel.tenantId, { type: "system", id: null }, correlationId);
    const result = await applyStatusUpdate(deps.db, scope, channel, status);
    if (result.applied) summary.statuses++;
    await deps.producer.flush(scope.effects, correlationId);
  }
  return summary;
}

