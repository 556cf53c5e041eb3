import { recordEvent } from "@alfred/automation";
import { isOutsideWhatsAppWindow, isProviderSendError, isStatusAdvance, sendMessage as sendThroughProvider, type OutboundStatus } from "@alfred/channels";
import { AppError, type MessageContent, type SecretKeyProvider } from "@alfred/core";
import { and, cursorTimestamp, type Database, type DbOrTx, decodeCursor, desc, encodeCursor, eq, sql } from "@alfred/db";
import { channels, contactIdentities, conversations, internalComments, messages, type MessageClassification } from "@alfred/db/schema";
import { boundedSnippet, EgressError, type EgressClient } from "@alfred/egress";
import { attachmentsOfMessages, type AttachmentSummary } from "./attachments";
import { decryptChannelSecrets } from "./channels";
import { lockConversation } from "./conversations";
import type { Scope } from "./scope";

export interface TimelineItem {
  id: string;
  kind: "message" | "comment";
  direction: "in" | "out" | null;
  type: string;
  body: string | null;
  /** Typed content beyond the text (media, reaction, location, postback...); null for text and comments. */
  content: MessageContent | null;
  status: string | null;
  error: string | null;
  external_id: string | null;
  author: { type: "user" | "destination" | "contact"; id: string | null; name: string | null };
  /** What the AI provider made of an inbound message; null until the worker classified it (and for the rest). */
  classification: MessageClassificationView | null;
  attachments: AttachmentSummary[];
  created_at: string;
}

export interface MessageClassificationView {
  intent: string;
  sentiment: string;
  language: string;
  /** local | openai_compatible */
  provider: string;
  /** "local heuristic" or the model's name. */
  provider_label: string;
  confidence: number;
}

export function toClassificationView(stored: MessageClassification | null | undefined): MessageClassificationView | null {
  if (!stored) return null;
  return { intent: stored.intent, sentiment: stored.sentiment, language: stored.language, provider: stored.provider, provider_label: stored.provider_label, confidence: stored.confidence };
}

interface TimelineRow extends Record<string, unknown> {
  kind: "message" | "comment";
  id: string;
  direction: "in" | "out" | null;
  type: string;
  body: string | null;
  content: MessageContent | null;
  status: string | null;
  error: string | null;
  external_id: string | null;
  author_user_id: string | null;
  author_destination_id: string | null;
  author_name: string | null;
  destination_name: string | null;
  classification: MessageClassification | null;
  created_at: Date;
  cursor_at: string;
}

/**
 * Messages and internal comments of a conversation in one timeline. Pages go backwards in time
 * (the newest page first, as a chat scrolls up) but each page is in chronological order. Each side
 * reads only one page from its index, newest first, so a thread of thousands of messages opens as
 * fast as a short one.
 */
export async function conversationTimeline(db: DbOrTx, tenantId: string, conversationId: string, options: { cursor?: string; limit?: number }) {
  await ensureConversation(db, tenantId, conversationId);
  const limit = options.limit ?? 50;
  const cursor = decodeCursor(options.cursor);
  const before = (alias: "m" | "ic") => (cursor ? sql`and (${sql.raw(alias)}.created_at, ${sql.raw(alias)}.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : sql``);
  const result = await db.execute<TimelineRow>(sql`
    select t.*, ${cursorTimestamp(sql`t.created_at`)} as cursor_at, u.name as author_name, d.name as destination_name, mc.content from (
      (select 'message' as kind, m.id, m.direction::text as direction, m.type, m.body, m.status::text as status, m.error, m.external_id,
              m.sender_user_id as author_user_id, m.sender_destination_id as author_destination_id, m.ai_classification as classification, m.created_at
       from messages m where m.tenant_id = ${tenantId} and m.conversation_id = ${conversationId} ${before("m")}
       order by m.created_at desc, m.id desc limit ${limit + 1})
      union all
      (select 'comment', ic.id, null, 'text', ic.body, null, null, null, ic.author_user_id, ic.author_destination_id, null::jsonb, ic.created_at
       from internal_comments ic where ic.tenant_id = ${tenantId} and ic.conversation_id = ${conversationId} ${before("ic")}
       order by ic.created_at desc, ic.id desc limit ${limit + 1})
    ) t
    left join users u on u.id = t.author_user_id
    left join automation_destinations d on d.id = t.author_destination_id and d.tenant_id = ${tenantId}
    -- Content joined to the page only: reading it inside the union made the planner sort the whole thread.
    left join messages mc on t.kind = 'message' and mc.id = t.id and mc.tenant_id = ${tenantId}
    order by t.created_at desc, t.id desc
    limit ${limit + 1}
  `);
  const rows = result.rows;
  const page = rows.slice(0, limit);
  const oldest = page[page.length - 1];
  const files = await attachmentsOfMessages(db, tenantId, page.filter((r) => r.kind === "message").map((r) => r.id));
  return {
    items: page.reverse().map((r) => toTimelineItem(r, (r.kind === "message" && files.get(r.id)) || [])),
    next_cursor: rows.length > limit && oldest ? encodeCursor(oldest.cursor_at, oldest.id) : null,
  };
}

function toTimelineItem(r: TimelineRow, attachments: AttachmentSummary[]): TimelineItem {
  const author: TimelineItem["author"] = r.author_destination_id
    ? { type: "destination", id: r.author_destination_id, name: r.destination_name ? `Automation: ${r.destination_name}` : "Automation" }
    : r.author_user_id
      ? { type: "user", id: r.author_user_id, name: r.author_name }
      : { type: r.direction === "in" ? "contact" : "user", id: null, name: null };
  return {
    id: r.id,
    kind: r.kind,
    direction: r.direction,
    type: r.type,
    body: r.body,
    content: r.content,
    status: r.status,
    error: r.error,
    external_id: r.external_id,
    author,
    classification: toClassificationView(r.classification),
    attachments,
    created_at: new Date(r.created_at).toISOString(),
  };
}

async function ensureConversation(db: DbOrTx, tenantId: string, id: string) {
  const [row] = await db.select({ id: conversations.id }).from(conversations).where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id)));
  if (!row) throw new AppError("not_found", "conversation not found");
}

/** A private note on a conversation, by an agent or by an automation destination (callback). */
export async function addInternalComment(tx: DbOrTx, scope: Scope, conversationId: string, body: string) {
  await lockConversation(tx, scope.tenantId, conversationId);
  const [comment] = await tx
    .insert(internalComments)
    .values({
      tenantId: scope.tenantId,
      conversationId,
      body,
      authorUserId: scope.actor.type === "user" ? scope.actor.id : null,
      authorDestinationId: scope.actor.type === "destination" ? scope.actor.id : null,
    })
    .returning();
  scope.effects.live.push({ tenantId: scope.tenantId, kind: "comment.created", conversationId, data: { comment_id: comment!.id } });
  return { id: comment!.id, conversation_id: conversationId, body: comment!.body, created_at: comment!.createdAt.toISOString() };
}

/**
 * Stores an agent's (or an automation's) reply as `queued` and hands it to the worker after commit.
 * Refuses up front what the provider would refuse, so the agent sees why at once.
 */
export async function queueOutboundMessage(tx: DbOrTx, scope: Scope, conversationId: string, body: string): Promise<{ id: string; status: "queued" }> {
  const conversation = await lockConversation(tx, scope.tenantId, conversationId);
  const [channel] = await tx.select().from(channels).where(eq(channels.id, conversation.channelId));
  if (!channel!.enabled) throw new AppError("validation_error", "this conversation's channel is disabled; enable it in Settings -> Channels to reply", { path: "conversation_id" });
  if (channel!.type === "api" && !channel!.config.send_url) throw new AppError("validation_error", "this API channel has no send_url, so replies cannot be delivered", { path: "conversation_id" });
  if (channel!.type === "email" && !channel!.secretsMasked.smtp_url) throw new AppError("validation_error", "this e-mail channel has no smtp_url, so replies cannot be sent", { path: "conversation_id" });
  if (channel!.type === "whatsapp" && isOutsideWhatsAppWindow(conversation.lastInboundAt)) {
    throw new AppError(
      "validation_error",
      "the customer has not written in the last 24 hours, so WhatsApp only accepts approved template messages now (customer service window closed)",
      { path: "body" },
    );
  }
  const [message] = await tx
    .insert(messages)
    .values({
      tenantId: scope.tenantId,
      conversationId,
      channelId: channel!.id,
      direction: "out",
      type: "text",
      body,
      status: "queued",
      senderUserId: scope.actor.type === "user" ? scope.actor.id : null,
      senderDestinationId: scope.actor.type === "destination" ? scope.actor.id : null,
      origin: scope.origin ?? null,
    })
    .returning({ id: messages.id, createdAt: messages.createdAt });
  await tx.update(conversations).set({ lastActivityAt: message!.createdAt }).where(eq(conversations.id, conversationId));
  scope.effects.channelSends.push({ messageId: message!.id, tenantId: scope.tenantId });
  scope.effects.live.push({ tenantId: scope.tenantId, kind: "message.created", conversationId, messageId: message!.id, data: { direction: "out" } });
  return { id: message!.id, status: "queued" };
}

export type OutboundOutcome = "sent" | "failed" | "skipped" | "retry";

/** Stored errors are read by agents: bounded, and free of NUL (which Postgres text refuses). */
const STORED_ERROR_MAX = 1000;

/**
 * The worker's half of sending: marks the message `sending`, calls the provider outside any
 * transaction (through the guarded client: the channel's URLs are tenant-chosen), then stores the
 * provider id and `sent` (with `message.sent`) or `failed` with the provider's error. A retryable
 * failure before the last attempt returns "retry" (the queue backs off). `refusal` is the guard's
 * reason for refusing the channel's address, for operators' logs only (agents see "address not
 * allowed").
 */
export async function deliverOutboundMessage(
  db: Database,
  keys: SecretKeyProvider,
  scope: Scope,
  messageId: string,
  options: { finalAttempt: boolean; egress: EgressClient; send?: typeof sendThroughProvider; timeoutMs?: number },
): Promise<{ outcome: OutboundOutcome; error?: string; refusal?: string }> {
  const prepared = await db.transaction(async (tx) => {
    const [message] = await tx.select().from(messages).where(and(eq(messages.id, messageId), eq(messages.tenantId, scope.tenantId), eq(messages.direction, "out"))).for("update");
    if (!message || (message.status !== "queued" && message.status !== "sending")) return null;
    const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, message.conversationId));
    const [channel] = await tx.select().from(channels).where(eq(channels.id, message.channelId));
    const [identity] = await tx
      .select({ externalId: contactIdentities.externalId })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.channelId, channel!.id), eq(contactIdentities.contactId, conversation!.contactId)));
    const [lastInbound] = await tx
      .select({ externalId: messages.externalId, raw: messages.rawPayload })
      .from(messages)
      .where(and(eq(messages.conversationId, conversation!.id), eq(messages.direction, "in")))
      .orderBy(desc(messages.createdAt))
      .limit(1);
    if (message.status === "queued") await tx.update(messages).set({ status: "sending" }).where(eq(messages.id, messageId));
    return { message, conversation: conversation!, channel: channel!, recipient: identity?.externalId ?? null, lastInbound };
  });
  if (!prepared) return { outcome: "skipped" };
  const { message, conversation, channel, recipient } = prepared;

  let externalId: string;
  try {
    if (!recipient) throw new AppError("validation_error", "the contact has no identity on this channel to send to");
    const threading =
      channel.type === "email" && prepared.lastInbound?.externalId
        ? { inReplyTo: prepared.lastInbound.externalId, references: [prepared.lastInbound.externalId], subject: conversation.subject ?? undefined }
        : undefined;
    const result = await (options.send ?? sendThroughProvider)(channel.type, {
      egress: options.egress,
      config: { ...channel.config, channel_id: channel.id },
      secrets: decryptChannelSecrets(keys, channel),
      to: recipient,
      body: message.body ?? "",
      threading,
      timeoutMs: options.timeoutMs,
      idempotencyKey: message.id,
      lastInboundAt: conversation.lastInboundAt ?? undefined,
    });
    externalId = result.externalId;
  } catch (err) {
    const retryable = isProviderSendError(err) && err.retryable;
    const reason = boundedSnippet(err instanceof Error ? err.message : String(err), STORED_ERROR_MAX);
    const refusal = err instanceof Error && err.cause instanceof EgressError && err.cause.kind === "address_not_allowed" ? err.cause.detail : undefined;
    if (retryable && !options.finalAttempt) return { outcome: "retry", error: reason };
    await db.transaction(async (tx) => {
      const [current] = await tx.select({ status: messages.status }).from(messages).where(eq(messages.id, messageId)).for("update");
      if (current && isStatusAdvance(current.status as OutboundStatus, "failed")) {
        await tx.update(messages).set({ status: "failed", error: reason }).where(eq(messages.id, messageId));
        scope.effects.live.push({ tenantId: scope.tenantId, kind: "message.status", conversationId: conversation.id, messageId, data: { status: "failed" } });
      }
    });
    return { outcome: "failed", error: reason, ...(refusal ? { refusal } : {}) };
  }

  await db.transaction(async (tx) => {
    const [current] = await tx.select({ status: messages.status }).from(messages).where(eq(messages.id, messageId)).for("update");
    // A fast provider may already have reported delivered/read through the webhook: keep the later status.
    const status = current && isStatusAdvance(current.status as OutboundStatus, "sent") ? "sent" : (current?.status ?? "sent");
    await tx.update(messages).set({ externalId, status, error: null }).where(eq(messages.id, messageId));
    await recordEvent(
      tx,
      {
        tenantId: scope.tenantId,
        type: "message.sent",
        sourceEventId: `message.sent:${messageId}`,
        correlationId: scope.correlationId,
        origin: message.origin,
        payload: { message_id: messageId, conversation_id: conversation.id, channel_id: channel.id, external_id: externalId, status: "sent" },
      },
      scope.effects,
    );
    scope.effects.live.push({ tenantId: scope.tenantId, kind: "message.status", conversationId: conversation.id, messageId, data: { status } });
  });
  return { outcome: "sent" };
}

/** Queued or sending messages older than `olderThanMs` (their job may be lost): for the reconciler. */
export async function staleOutboundMessages(db: DbOrTx, olderThanMs: number, limit = 200) {
  return db
    .select({ id: messages.id, tenantId: messages.tenantId })
    .from(messages)
    .where(and(eq(messages.direction, "out"), sql`${messages.status} in ('queued','sending')`, sql`${messages.updatedAt} < now() - make_interval(secs => ${olderThanMs / 1000})`))
    .limit(limit);
}
