import { recordEvent } from "@alfred/automation";
import { normalizeJsonStrings, normalizeText, type MessageContent } from "@alfred/core";
import { inboundMediaRefs, isStatusAdvance, type NormalizedInboundMessage, type NormalizedStatusUpdate, type OutboundStatus } from "@alfred/channels";
import { and, desc, eq, inArray, sql, type Database, type DbOrTx } from "@alfred/db";
import { type channels, contactIdentities, contacts, conversations, messages } from "@alfred/db/schema";
import { recordInboundAttachments } from "./attachments";
import type { Scope } from "./scope";

type ChannelRow = typeof channels.$inferSelect;

export interface IngestResult {
  messageId: string;
  conversationId: string;
  duplicate: boolean;
}

/**
 * Stores one inbound message in its own transaction (fixtures, tests and tools that have no receipt).
 * A transaction-scoped advisory lock per sender serialises concurrent calls for one sender so they
 * cannot create two contacts or conversations; the receipt pipeline gets the same guarantee from its
 * lanes (one worker per sender at a time) and calls `storeInboundMessage` directly.
 */
export async function ingestMessage(db: Database, scope: Scope, channel: ChannelRow, inbound: NormalizedInboundMessage): Promise<IngestResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${channel.id}:${inbound.from.externalId}`}, 0))`);
    return storeInboundMessage(tx, scope, channel, inbound);
  });
}

/**
 * Stores one inbound message with everything it implies, in the caller's transaction: the contact
 * (found by its identity on this channel, or created), the conversation (reopened or created), the
 * message, unread count and last activity, and the `message.ingested` outbox event.
 *
 * Idempotent on the provider message id: the unique key (channel_id, external_id) is the guard.
 * Provider text is made storable first (Postgres refuses NUL and lone surrogates); the request's
 * exact bytes stay on the receipt.
 */
export async function storeInboundMessage(tx: DbOrTx, scope: Scope, channel: ChannelRow, received: NormalizedInboundMessage, options: { receiptId?: number; receivedAt?: Date } = {}): Promise<IngestResult> {
  const inbound = storableInbound(received, options.receivedAt ?? new Date());
  const [existing] = await tx
    .select({ id: messages.id, conversationId: messages.conversationId })
    .from(messages)
    .where(and(eq(messages.channelId, channel.id), eq(messages.externalId, inbound.externalId)));
  if (existing) return { messageId: existing.id, conversationId: existing.conversationId, duplicate: true };

  const contactId = await findOrCreateContact(tx, channel, inbound);
  const { conversationId, reopened, previousStatus } = await findOrOpenConversation(tx, channel, contactId, inbound);

  const [message] = await tx
    .insert(messages)
    .values({
      tenantId: channel.tenantId,
      conversationId,
      channelId: channel.id,
      direction: "in",
      type: inbound.type,
      body: inbound.body,
      content: inbound.content ?? null,
      rawPayload: inbound.raw as object,
      externalId: inbound.externalId,
      status: "received",
      providerTimestamp: inbound.sentAt,
      receiptId: options.receiptId ?? null,
      // The moment of insert, not of the transaction: a batch of one sender's messages keeps its order.
      createdAt: sql`clock_timestamp()`,
    })
    .onConflictDoNothing({ target: [messages.channelId, messages.externalId] })
    .returning({ id: messages.id, createdAt: messages.createdAt });
  if (!message) {
    // Unreachable while one worker holds the sender; kept so correctness never depends on that.
    const [row] = await tx.select({ id: messages.id, conversationId: messages.conversationId }).from(messages).where(and(eq(messages.channelId, channel.id), eq(messages.externalId, inbound.externalId)));
    return { messageId: row!.id, conversationId: row!.conversationId, duplicate: true };
  }

  // E-mail files arrive stored; WhatsApp/Messenger/Instagram files are fetched by the worker.
  await recordInboundAttachments(tx, channel.tenantId, message.id, inbound.attachments ?? inboundMediaRefs(channel.type, inbound));

  await tx
    .update(conversations)
    .set({
      unreadCount: sql`${conversations.unreadCount} + 1`,
      lastActivityAt: sql`greatest(${conversations.lastActivityAt}, ${message.createdAt.toISOString()}::timestamptz)`,
      // Providers deliver out of order: an older message arriving late must not close the WhatsApp window early.
      lastInboundAt: sql`greatest(${conversations.lastInboundAt}, ${inbound.sentAt.toISOString()}::timestamptz)`,
    })
    .where(eq(conversations.id, conversationId));

  await recordEvent(
    tx,
    {
      tenantId: channel.tenantId,
      type: "message.ingested",
      sourceEventId: `message.ingested:${message.id}`,
      correlationId: scope.correlationId,
      payload: {
        message_id: message.id,
        conversation_id: conversationId,
        contact_id: contactId,
        channel_id: channel.id,
        channel_type: channel.type,
        body: inbound.body,
        type: inbound.type,
        content: inbound.content ?? null,
        external_id: inbound.externalId,
        received_at: message.createdAt.toISOString(),
      },
    },
    scope.effects,
  );
  if (reopened) {
    await recordEvent(
      tx,
      {
        tenantId: channel.tenantId,
        type: "conversation.updated",
        sourceEventId: `conversation.reopened:${conversationId}:${message.id}`,
        correlationId: scope.correlationId,
        payload: { conversation_id: conversationId, status: "open", assignee_id: null, changes: ["status"] },
      },
      scope.effects,
    );
  }
  scope.effects.live.push({ tenantId: channel.tenantId, kind: "message.created", conversationId, messageId: message.id, data: { direction: "in", reopened_from: reopened ? previousStatus : undefined } });
  // Classified after commit by the worker's classification job (see classifyMessage), never here.
  if (inbound.body?.trim()) scope.effects.classifications.push({ messageId: message.id, tenantId: channel.tenantId });
  return { messageId: message.id, conversationId, duplicate: false };
}

/** Earliest and latest provider time taken as given; outside it, the time Alfred received the message. */
const EARLIEST_PROVIDER_TIME = Date.UTC(2000, 0, 1);
const LATEST_PROVIDER_SKEW_MS = 24 * 3_600_000;

/**
 * The message as Postgres can store it: text without NUL or lone surrogates (in the body, the
 * sender's name and every string of the raw object), and a provider time inside what is plausible
 * (a timestamp of 999999999999 seconds would be year 33658, which Postgres cannot even parse from
 * JavaScript's ISO form).
 */
function storableInbound(inbound: NormalizedInboundMessage, receivedAt: Date): NormalizedInboundMessage {
  const time = inbound.sentAt.getTime();
  const plausible = Number.isFinite(time) && time >= EARLIEST_PROVIDER_TIME && time <= receivedAt.getTime() + LATEST_PROVIDER_SKEW_MS;
  return {
    ...inbound,
    externalId: normalizeText(inbound.externalId),
    body: inbound.body === null ? null : normalizeText(inbound.body),
    from: { ...inbound.from, externalId: normalizeText(inbound.from.externalId), ...(inbound.from.name !== undefined ? { name: normalizeText(inbound.from.name) } : {}) },
    raw: normalizeJsonStrings(inbound.raw),
    content: inbound.content ? (normalizeJsonStrings(inbound.content) as MessageContent) : null,
    sentAt: plausible ? inbound.sentAt : receivedAt,
  };
}

async function findOrCreateContact(tx: DbOrTx, channel: ChannelRow, inbound: NormalizedInboundMessage): Promise<string> {
  const [identity] = await tx
    .select({ contactId: contactIdentities.contactId })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.channelId, channel.id), eq(contactIdentities.externalId, inbound.from.externalId)));
  if (identity) {
    // Fill in what the provider now tells us and we did not know (never overwrite an agent's edit).
    if (inbound.from.name) {
      await tx.update(contacts).set({ name: inbound.from.name }).where(and(eq(contacts.id, identity.contactId), sql`${contacts.name} is null`));
    }
    return identity.contactId;
  }
  const [contact] = await tx
    .insert(contacts)
    .values({ tenantId: channel.tenantId, name: inbound.from.name ?? null, phone: inbound.from.phone ?? null, email: inbound.from.email ?? null })
    .returning({ id: contacts.id });
  await tx.insert(contactIdentities).values({ tenantId: channel.tenantId, contactId: contact!.id, channelId: channel.id, externalId: inbound.from.externalId });
  return contact!.id;
}

async function findOrOpenConversation(
  tx: DbOrTx,
  channel: ChannelRow,
  contactId: string,
  inbound: NormalizedInboundMessage,
): Promise<{ conversationId: string; reopened: boolean; previousStatus: string | null }> {
  let conversation: { id: string; status: string } | undefined;

  // E-mail threads by In-Reply-To / References first: a reply lands in the conversation it answers.
  const threadIds = inbound.email ? [inbound.email.inReplyTo, ...inbound.email.references].filter((id): id is string => Boolean(id)) : [];
  if (threadIds.length) {
    [conversation] = await tx
      .select({ id: conversations.id, status: conversations.status })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(eq(messages.channelId, channel.id), inArray(messages.externalId, threadIds)))
      .orderBy(desc(messages.createdAt))
      .limit(1);
  }
  conversation ??= (
    await tx
      .select({ id: conversations.id, status: conversations.status })
      .from(conversations)
      .where(and(eq(conversations.tenantId, channel.tenantId), eq(conversations.channelId, channel.id), eq(conversations.contactId, contactId)))
      .orderBy(desc(conversations.lastActivityAt))
      .limit(1)
  )[0];

  if (!conversation) {
    const [created] = await tx
      .insert(conversations)
      .values({ tenantId: channel.tenantId, channelId: channel.id, contactId, status: "open", subject: inbound.email?.subject ?? null })
      .returning({ id: conversations.id });
    return { conversationId: created!.id, reopened: false, previousStatus: null };
  }
  if (conversation.status === "resolved" || conversation.status === "snoozed") {
    await tx.update(conversations).set({ status: "open", snoozedUntil: null }).where(eq(conversations.id, conversation.id));
    return { conversationId: conversation.id, reopened: true, previousStatus: conversation.status };
  }
  return { conversationId: conversation.id, reopened: false, previousStatus: null };
}

export interface StatusResult {
  messageId: string | null;
  applied: boolean;
}

/**
 * Applies a provider status notification to the outbound message it names. Never moves backwards
 * (`isStatusAdvance`): a late `delivered` after `read` changes nothing. The row is locked so two
 * notifications racing cannot both apply. Runs in the caller's transaction.
 */
export async function applyStatusUpdate(tx: DbOrTx, scope: Scope, channel: ChannelRow, update: NormalizedStatusUpdate): Promise<StatusResult> {
  const [message] = await tx
    .select({ id: messages.id, status: messages.status, conversationId: messages.conversationId })
    .from(messages)
    .where(and(eq(messages.channelId, channel.id), eq(messages.externalId, normalizeText(update.externalId)), eq(messages.direction, "out")))
    .for("update");
  if (!message) return { messageId: null, applied: false };
  if (!isStatusAdvance(message.status as OutboundStatus, update.status)) return { messageId: message.id, applied: false };
  const error = update.error ? normalizeText(`${update.error.code}: ${update.error.title}${update.error.message ? ` — ${update.error.message}` : ""}`).slice(0, 1000) : null;
  await tx.update(messages).set({ status: update.status, error }).where(eq(messages.id, message.id));
  scope.effects.live.push({ tenantId: channel.tenantId, kind: "message.status", conversationId: message.conversationId, messageId: message.id, data: { status: update.status } });
  return { messageId: message.id, applied: true };
}
