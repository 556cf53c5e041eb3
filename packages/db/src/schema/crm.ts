import type { MessageContent } from "@alfred/core";
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, timestamps } from "./_columns";
import type { EventOrigin } from "./automation";
import { tenants, users } from "./identity";

export const channelTypeEnum = pgEnum("channel_type", ["whatsapp", "messenger", "instagram", "email", "api"]);
export const CHANNEL_TYPES = channelTypeEnum.enumValues;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/**
 * A tenant's connection to one provider account. Webhooks find their channel from the payload's own
 * identifier (phone number id, page id, instagram account id, inbound address), hence the global
 * unique key on (type, external_id). Secrets live only in `secretsEncrypted` (AES-256-GCM envelope).
 */
export const channels = pgTable(
  "channels",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    type: channelTypeEnum().notNull(),
    name: text().notNull(),
    externalId: text(),
    /** sha256 of Meta's verify token, so the GET handshake can find the channel without storing it in clear. */
    verifyTokenHash: text(),
    /** Non-secret settings (api_base_url, from_address, send_url...). */
    config: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    secretsEncrypted: text(),
    /** Masked form of each secret, for display (e.g. {"app_secret": "ab…yz"}). */
    secretsMasked: jsonb().$type<Record<string, string>>().notNull().default({}),
    enabled: boolean().notNull().default(true),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("channels_type_external_id_key").on(t.type, t.externalId),
    index("channels_tenant_idx").on(t.tenantId, t.createdAt),
    index("channels_verify_token_idx").on(t.type, t.verifyTokenHash),
  ],
);

export const contacts = pgTable(
  "contacts",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    name: text(),
    email: text(),
    phone: text(),
    attributes: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    leadScore: integer().notNull().default(0),
    /**
     * What inbox search finds a contact by: name, e-mail and phone with accents folded (alfred_unaccent,
     * migration 0003), then the phone's digits alone so "98680-3962" finds "+5585986803962". Stored so
     * that checking a row is a column read, not a function call.
     */
    searchText: text()
      .notNull()
      .generatedAlwaysAs(
        sql`alfred_unaccent(coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'))`,
      ),
    ...timestamps(),
  },
  (t) => [
    index("contacts_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("contacts_search_trgm_idx").using(
      "gin",
      sql`(coalesce(${t.name}, '') || ' ' || coalesce(${t.email}, '') || ' ' || coalesce(${t.phone}, '')) gin_trgm_ops`,
    ),
    index("contacts_search_text_trgm_idx").using("gin", sql`${t.searchText} gin_trgm_ops`),
  ],
);

/** How a contact is known on one channel (WhatsApp wa_id, page-scoped id, e-mail address...). */
export const contactIdentities = pgTable(
  "contact_identities",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    contactId: uuid().notNull().references(() => contacts.id, { onDelete: "cascade" }),
    channelId: uuid().notNull().references(() => channels.id, { onDelete: "cascade" }),
    externalId: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("contact_identities_channel_external_key").on(t.channelId, t.externalId),
    index("contact_identities_tenant_contact_idx").on(t.tenantId, t.contactId),
  ],
);

export const contactSettings = pgTable(
  "contact_settings",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    contactId: uuid().notNull().references(() => contacts.id, { onDelete: "cascade" }),
    automatedMessagesOptOut: boolean().notNull().default(false),
    preferredLanguage: text(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("contact_settings_tenant_contact_key").on(t.tenantId, t.contactId)],
);

export const conversationStatusEnum = pgEnum("conversation_status", ["open", "pending", "resolved", "snoozed"]);
export const CONVERSATION_STATUSES = conversationStatusEnum.enumValues;
export const conversationPriorityEnum = pgEnum("conversation_priority", ["low", "normal", "high", "urgent"]);
export const CONVERSATION_PRIORITIES = conversationPriorityEnum.enumValues;

export const conversations = pgTable(
  "conversations",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    channelId: uuid().notNull().references(() => channels.id, { onDelete: "cascade" }),
    contactId: uuid().notNull().references(() => contacts.id, { onDelete: "cascade" }),
    status: conversationStatusEnum().notNull().default("open"),
    snoozedUntil: timestamp({ withTimezone: true }),
    assigneeId: uuid().references(() => users.id, { onDelete: "set null" }),
    unreadCount: integer().notNull().default(0),
    lastActivityAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Last customer message: WhatsApp only allows free-form replies within 24 h of it. */
    lastInboundAt: timestamp({ withTimezone: true }),
    subject: text(),
    priority: conversationPriorityEnum().notNull().default("normal"),
    labels: text().array().notNull().default([]),
    ...timestamps(),
  },
  // The inbox list reads a page in order from one of these (newest activity first, no sort): each
  // filter is an equality prefix ending in status (crm's listConversations merges one page per status
  // when no status is asked for). `assignee_id is null` is not an equality the planner can order by,
  // so unassigned conversations have their own partial index; each row is in one of the two.
  // Every inbound message moves last_activity_at, so each index costs one entry per message.
  (t) => [
    index("conversations_tenant_activity_idx").on(t.tenantId, t.lastActivityAt.desc(), t.id.desc()),
    index("conversations_tenant_status_activity_idx").on(t.tenantId, t.status, t.lastActivityAt.desc(), t.id.desc()),
    index("conversations_tenant_assignee_status_activity_idx")
      .on(t.tenantId, t.assigneeId, t.status, t.lastActivityAt.desc(), t.id.desc())
      .where(sql`${t.assigneeId} is not null`),
    index("conversations_tenant_unassigned_status_activity_idx")
      .on(t.tenantId, t.status, t.lastActivityAt.desc(), t.id.desc())
      .where(sql`${t.assigneeId} is null`),
    index("conversations_tenant_channel_status_activity_idx").on(t.tenantId, t.channelId, t.status, t.lastActivityAt.desc(), t.id.desc()),
    index("conversations_tenant_contact_idx").on(t.tenantId, t.contactId),
  ],
);

export const messageDirectionEnum = pgEnum("message_direction", ["in", "out"]);
export const messageStatusEnum = pgEnum("message_status", [
  "received",
  "queued",
  "sending",
  "sent",
  "delivered",
  "read",
  "failed",
]);
export const MESSAGE_STATUSES = messageStatusEnum.enumValues;

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** What the AI provider made of an inbound message. */
export interface MessageClassification {
  intent: string;
  sentiment: string;
  language: string;
  confidence: number;
  /** local | openai_compatible */
  provider: string;
  /** "local heuristic" or the model's name, as the inbox shows it. */
  provider_label: string;
  classified_at: string;
}

export const messages = pgTable(
  "messages",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    conversationId: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
    channelId: uuid().notNull().references(() => channels.id, { onDelete: "cascade" }),
    direction: messageDirectionEnum().notNull(),
    /** text, image, audio, video, document, location, sticker, unsupported... */
    type: text().notNull().default("text"),
    body: text(),
    /** Typed content beyond the text (`MessageContent` of @alfred/core: media, reaction, location, postback...); null for plain text. */
    content: jsonb().$type<MessageContent>(),
    rawPayload: jsonb(),
    /** The provider's message id; the idempotency key of ingestion. */
    externalId: text(),
    status: messageStatusEnum().notNull(),
    error: text(),
    senderUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    /** Set when an automation destination (callback `send_message`) wrote the message. */
    senderDestinationId: uuid(),
    /** Set by the worker after ingest (null until classified, and for outbound messages); see MessageClassification. */
    aiClassification: jsonb().$type<MessageClassification>(),
    /** An outbound message a rule sent: its `message.sent` event carries the rule chain (loop prevention). */
    origin: jsonb().$type<EventOrigin>(),
    providerTimestamp: timestamp({ withTimezone: true }),
    /** The inbound receipt this message came from (receipts are pruned; no foreign key). */
    receiptId: bigint({ mode: "number" }),
    /**
     * The body's words for inbox search (text search configuration `alfred_search`, migration 0003).
     * Stored rather than an index expression: searching a common word checks thread after thread,
     * and reading a stored vector is several times cheaper than parsing the body again.
     */
    searchVector: tsvector().generatedAlwaysAs(sql`to_tsvector('alfred_search'::regconfig, coalesce(body, ''))`),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("messages_channel_external_key").on(t.channelId, t.externalId),
    index("messages_tenant_conversation_idx").on(t.tenantId, t.conversationId, t.createdAt, t.id),
    // A tenant's outbound backlog (operations view): only the few rows not yet sent or recently failed.
    index("messages_tenant_outbound_backlog_idx")
      .on(t.tenantId, t.status, t.updatedAt)
      .where(sql`${t.direction} = 'out' and ${t.status} in ('queued', 'sending', 'failed')`),
    index("messages_search_vector_idx").using("gin", t.searchVector),
    // The classification reconciler's look-up: only inbound rows not classified yet (few, and short-lived).
    index("messages_unclassified_idx").on(t.createdAt).where(sql`${t.direction} = 'in' and ${t.aiClassification} is null and ${t.body} is not null`),
  ],
);

export const attachmentStatusEnum = pgEnum("attachment_status", ["pending", "stored", "failed"]);

/**
 * A file of a message: an e-mail attachment or a WhatsApp/Messenger/Instagram media item. Inbound
 * media starts `pending` (the worker fetches it from the provider), then `stored` or `failed` with
 * the reason. The bytes live in blob storage under `storageKey`, never in the database.
 */
export const messageAttachments = pgTable(
  "message_attachments",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    messageId: uuid().notNull().references(() => messages.id, { onDelete: "cascade" }),
    /** Order within the message (0-based). */
    position: integer().notNull().default(0),
    /** image, audio, voice, video, document, sticker, file (an e-mail attachment). */
    kind: text().notNull().default("file"),
    storageKey: text(),
    filename: text(),
    contentType: text(),
    size: bigint({ mode: "number" }),
    sha256: text(),
    caption: text(),
    status: attachmentStatusEnum().notNull(),
    /** Why a `failed` attachment could not be fetched or stored, for the agent. */
    error: text(),
    /** Where the provider keeps it (WhatsApp media id, or a Messenger/Instagram URL), for the fetch. */
    sourceRef: text(),
    ...timestamps(),
  },
  (t) => [
    index("message_attachments_tenant_message_idx").on(t.tenantId, t.messageId, t.position),
    uniqueIndex("message_attachments_message_position_key").on(t.messageId, t.position),
    // The worker's queue of files to fetch from providers.
    index("message_attachments_pending_idx").on(t.createdAt).where(sql`${t.status} = 'pending'`),
  ],
);

export const internalComments = pgTable(
  "internal_comments",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    conversationId: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
    authorUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    /** Set when an automation destination wrote the comment through a callback. */
    authorDestinationId: uuid(),
    body: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("internal_comments_tenant_conversation_idx").on(t.tenantId, t.conversationId, t.createdAt)],
);

export const taskStatusEnum = pgEnum("task_status", ["open", "done"]);

export const tasks = pgTable(
  "tasks",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    title: text().notNull(),
    description: text(),
    status: taskStatusEnum().notNull().default("open"),
    dueAt: timestamp({ withTimezone: true }),
    completedAt: timestamp({ withTimezone: true }),
    /** When the overdue notification went out, so the scheduled check notifies once. */
    overdueNotifiedAt: timestamp({ withTimezone: true }),
    assigneeId: uuid().references(() => users.id, { onDelete: "set null" }),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    createdByDestinationId: uuid(),
    conversationId: uuid().references(() => conversations.id, { onDelete: "set null" }),
    contactId: uuid().references(() => contacts.id, { onDelete: "set null" }),
    ...timestamps(),
  },
  (t) => [
    index("tasks_tenant_status_due_idx").on(t.tenantId, t.status, t.dueAt),
    index("tasks_tenant_assignee_idx").on(t.tenantId, t.assigneeId, t.status),
    index("tasks_tenant_conversation_idx").on(t.tenantId, t.conversationId),
    index("tasks_tenant_contact_idx").on(t.tenantId, t.contactId),
  ],
);

/** A task about moving a lead along its pipeline: the task plus the lead (contact) and stage. */
export const leadTasks = pgTable(
  "lead_tasks",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    taskId: uuid().notNull().references(() => tasks.id, { onDelete: "cascade" }),
    contactId: uuid().notNull().references(() => contacts.id, { onDelete: "cascade" }),
    pipelineStage: text(),
    /** Last "lead stalled" notice, so the scheduled check reminds at most once per stall period. */
    stalledNotifiedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("lead_tasks_task_key").on(t.taskId),
    index("lead_tasks_tenant_contact_idx").on(t.tenantId, t.contactId),
  ],
);
