import {
  decodeFormFields,
  groupBySender,
  isChannelType,
  mailgunRecipient,
  MAX_WEBHOOK_BYTES,
  mediaType,
  parseHubChallenge,
  parseJsonBody,
  parseWebhook,
  verifyApiSignature,
  verifyMailgunSignature,
  verifyMetaSignature,
  webhookAccountIds,
  type ChannelType,
  type ParsedWebhook,
} from "@alfred/channels";
import { AppError, CORRELATION_HEADER, currentTraceparent, errorBody, isAppError, metrics } from "@alfred/core";
import { hasChannelWithVerifyToken, sha256Hex, storeReceipts, type ReceiptDraft } from "@alfred/crm";
import type { ApiDeps } from "../context";
import { observeRequest } from "../observe";
import { readBodyLimited } from "../read-body";
import type { KnownChannel } from "./channel-directory";
import { mailgunReceiptBody, stageMailgunPost, type StagedMailgunPost } from "./mailgun-intake";

/**
 * Provider webhooks: verify, persist, acknowledge. The request does only what it alone can do
 * (bounded read, channel lookup, signature check on the raw bytes, one-time token claim) and stores
 * the verified bytes as receipts in ONE statement; the 200 is sent only after that commits. The
 * worker turns receipts into messages and statuses (see @alfred/crm receipts), in order per sender.
 *
 * The signature is checked before the body is judged: an unsigned or wrongly signed request gets 401
 * whatever it contains. A signed provider body of a shape we cannot read is stored anyway, parked
 * with the reason for an admin to see (answering 4xx would make Meta or Mailgun retry it for days and
 * then drop it); only the API channel, whose callers are developers, gets a 422 for it.
 */

const json = (status: number, body: unknown, correlationId: string) => Response.json(body, { status, headers: { [CORRELATION_HEADER]: correlationId } });

const INVALID_SIGNATURE = () => new AppError("invalid_signature", "the webhook signature does not match");

/** Meta's subscription handshake: echo the challenge when a channel of this type has the verify token. */
export async function handleWebhookVerification(request: Request, type: string, deps: ApiDeps): Promise<Response> {
  const challenge = parseHubChallenge(new URL(request.url).searchParams);
  if (!isChannelType(type) || !challenge || !(await hasChannelWithVerifyToken(deps.db, type, challenge.verifyToken))) {
    return new Response("forbidden", { status: 403, headers: { "content-type": "text/plain" } });
  }
  return new Response(challenge.challenge, { status: 200, headers: { "content-type": "text/plain" } });
}

interface Verified {
  /** Channels the body names that exist, by account id. */
  channels: Map<string, KnownChannel>;
  /** Parsed items, or why a signed body could not be parsed. */
  parsed: ParsedWebhook | { unreadable: string };
  /** Mailgun's one-time token: the receipt's dedupe key, so a replayed signed request stores nothing. */
  oneTimeToken?: string;
}

async function findChannels(deps: ApiDeps, type: ChannelType, accountIds: string[]): Promise<Map<string, KnownChannel>> {
  const found = new Map<string, KnownChannel>();
  for (const accountId of accountIds.slice(0, 50)) {
    const channel = await deps.channels.find(type, accountId);
    if (channel) found.set(accountId, channel);
  }
  return found;
}

/** Parses a signed body; a provider body we cannot read is kept for an admin instead of refused. */
async function parseSigned(type: ChannelType, raw: Buffer, contentType: string | null): Promise<Verified["parsed"]> {
  try {
    return await parseWebhook(type, raw, contentType);
  } catch (err) {
    if (type === "api" || !isAppError(err) || !["validation_error", "bad_request"].includes(err.code)) throw err;
    return { unreadable: err.message };
  }
}

async function verifyJsonWebhook(deps: ApiDeps, type: Exclude<ChannelType, "email">, request: Request, raw: Buffer): Promise<Verified> {
  const contentType = request.headers.get("content-type");
  const type_ = mediaType(contentType);
  if (type_ !== null && type_ !== "application/json" && !(type_.startsWith("application/") && type_.endsWith("+json"))) {
    throw new AppError("unsupported_media_type", `expected application/json, got ${type_}`);
  }
  const body = parseJsonBody(raw);
  const accountIds = webhookAccountIds(type, body);
  if (accountIds.length === 0) {
    throw new AppError("invalid_signature", type === "api" ? "the body names no channel_id, so its signature cannot be checked" : "the body names no account, so its signature cannot be checked");
  }
  const channels = await findChannels(deps, type, accountIds);
  if (channels.size === 0) throw new AppError("not_found", type === "api" ? "no API channel with this channel_id" : `no ${type} channel is connected for this account`);
  for (const { secrets } of channels.values()) {
    const ok = type === "api" ? verifyApiSignature(raw, request.headers.get("x-alfred-signature"), secrets.secret) : verifyMetaSignature(raw, request.headers.get("x-hub-signature-256"), secrets.app_secret);
    if (!ok) throw INVALID_SIGNATURE();
  }
  return { channels, parsed: await parseSigned(type, raw, contentType) };
}

async function verifyMailgunWebhook(deps: ApiDeps, request: Request, raw: Buffer): Promise<Verified> {
  const contentType = request.headers.get("content-type");
  return verifyMailgunFields(deps, await decodeFormFields(raw, contentType), () => parseSigned("email", raw, contentType));
}

async function verifyMailgunFields(deps: ApiDeps, fields: Record<string, string>, parse: () => Promise<Verified["parsed"]>): Promise<Verified> {
  const recipient = mailgunRecipient(fields);
  if (!recipient) throw new AppError("invalid_signature", "the post names no recipient, so its signature cannot be checked");
  const channel = await deps.channels.find("email", recipient);
  if (!channel) throw new AppError("not_found", "no e-mail channel receives at this address");
  if (!verifyMailgunSignature(fields, channel.secrets.signing_key)) throw INVALID_SIGNATURE();
  return { channels: new Map([[recipient, channel]]), parsed: await parse(), oneTimeToken: String(fields.token) };
}

/** Mailgun posts forms (multipart with attachments, else urlencoded): those are streamed; JSON is read whole. */
const isStreamedEmail = (contentType: string | null) => ["multipart/form-data", "application/x-www-form-urlencoded"].includes(mediaType(contentType) ?? "");

interface Intake {
  verified: Verified;
  raw: Buffer;
  /** Digest of what makes the request the same request (defaults to the raw body's). */
  bodySha256?: string;
  contentType: string | null;
  /** Attachments staged in blob storage, to discard unless the receipt that lists them commits. */
  staged?: StagedMailgunPost;
}

/**
 * An e-mail post: attachments stream to storage while the post is read, then the signature (in the
 * fields) is checked; the receipt stores the text fields and the list of stored attachments.
 */
async function intakeStreamedEmail(deps: ApiDeps, request: Request): Promise<Intake> {
  const staged = await stageMailgunPost(request, deps.storage);
  try {
    const { body, bodySha256 } = mailgunReceiptBody(staged);
    const contentType = "application/x-www-form-urlencoded";
    const verified = await verifyMailgunFields(deps, staged.fields, () => parseSigned("email", body, contentType));
    return { verified, raw: body, bodySha256, contentType, staged };
  } catch (err) {
    await staged.discard();
    throw err;
  }
}

async function intake(deps: ApiDeps, type: ChannelType, request: Request): Promise<Intake> {
  const contentType = request.headers.get("content-type");
  if (type === "email" && isStreamedEmail(contentType)) return intakeStreamedEmail(deps, request);
  const raw = await readBodyLimited(request, MAX_WEBHOOK_BYTES, `webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes`);
  const verified = type === "email" ? await verifyMailgunWebhook(deps, request, raw) : await verifyJsonWebhook(deps, type, request, raw);
  return { verified, raw, contentType };
}

/** One receipt per (channel, sender); items for disabled or unknown channels are left out. */
function receiptDrafts(type: ChannelType, { verified, raw, contentType, bodySha256 = sha256Hex(raw) }: Intake, correlationId: string): { drafts: ReceiptDraft[]; ignored: number } {
  const base = { channelType: type, body: raw, bodySha256, contentType, correlationId, traceparent: currentTraceparent() };
  const enabled = [...verified.channels.values()].filter((c) => c.row.enabled);
  const oneTime = (channel: KnownChannel) => (verified.oneTimeToken ? { dedupeKey: `mailgun:${channel.row.id}:${sha256Hex(verified.oneTimeToken)}` } : {});
  if ("unreadable" in verified.parsed) {
    const [channel] = enabled;
    if (!channel) return { drafts: [], ignored: 1 };
    return { drafts: [{ ...base, ...oneTime(channel), tenantId: channel.row.tenantId, channelId: channel.row.id, orderingKey: "unreadable", parkedBecause: verified.parsed.unreadable }], ignored: 0 };
  }
  const drafts: ReceiptDraft[] = [];
  let ignored = 0;
  for (const group of groupBySender(verified.parsed)) {
    const channel = verified.channels.get(group.channelAccountId);
    if (!channel?.row.enabled) {
      ignored += group.messages.length + group.statuses.length;
      continue;
    }
    drafts.push({ ...base, ...oneTime(channel), tenantId: channel.row.tenantId, channelId: channel.row.id, orderingKey: group.orderingKey });
  }
  return { drafts, ignored };
}

/**
 * `POST /api/v1/webhooks/{channel_type}`. 200 once every receipt of the request is committed (a
 * re-delivery: 200, stored once); 401 bad signature; 404 unknown account; 400/413/415 for a body that
 * is not JSON / too large / of another media type. A message for a disabled channel is acknowledged
 * and not stored (otherwise the provider retries it for days). E-mail attachments staged in storage
 * are kept only when the receipt listing them commits; on every other outcome they are removed.
 */
export function handleWebhook(request: Request, type: string, deps: ApiDeps): Promise<Response> {
  return observeRequest(request, "/api/v1/webhooks/{channel_type}", ({ correlationId }) => ingest(request, type, deps, correlationId));
}

async function ingest(request: Request, type: string, deps: ApiDeps, correlationId: string): Promise<Response> {
  const channel = isChannelType(type) ? type : "unknown";
  try {
    if (!isChannelType(type)) throw new AppError("not_found", `unknown channel type "${type}"`);
    const received = await intake(deps, type, request);
    let keepStaged = false;
    try {
      const { drafts, ignored } = receiptDrafts(type, received, correlationId);
      const stored = await storeReceipts(deps.db, drafts);
      if (stored.conflicting.length) throw new AppError("invalid_signature", "this webhook token was already used (replayed request)");
      keepStaged = stored.stored > 0;
      if (stored.lanes.length) void deps.producer.wakeReceipts(stored.lanes);
      metrics().webhookIngests.inc({ channel, outcome: stored.stored > 0 ? "stored" : stored.duplicates > 0 ? "duplicate" : "ignored" });
      if (stored.stored > 0) metrics().receiptsStored.inc({ channel }, stored.stored);
      return json(200, { ok: true, received: stored.stored, duplicates: stored.duplicates, ignored }, correlationId);
    } finally {
      // A duplicate's receipt lists the attachments of its first delivery; these copies are not needed.
      if (!keepStaged) await received.staged?.discard();
    }
  } catch (err) {
    metrics().webhookIngests.inc({ channel, outcome: isAppError(err) ? err.code : "unavailable" });
    if (isAppError(err)) {
      deps.logger.info({ channel_type: channel, code: err.code }, "webhook rejected");
      return json(err.status, errorBody(err.code, err.message, correlationId, err.path), correlationId);
    }
    deps.logger.error({ err, channel_type: channel }, "webhook could not be stored");
    // Not stored, so not acknowledged: the provider retries.
    return json(503, errorBody("unavailable", "the webhook could not be stored; retry later", correlationId), correlationId);
  }
}
