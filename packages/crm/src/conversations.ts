import { randomUUID } from "node:crypto";
import { recordEvent } from "@alfred/automation";
import { AppError } from "@alfred/core";
import { and, cursorTimestamp, type DbOrTx, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, eq, type SQL, sql } from "@alfred/db";
import { channels, contacts, CONVERSATION_STATUSES, conversations, memberships, type ChannelType } from "@alfred/db/schema";
import { contactMatches, messageQuery } from "./conversation-search";
import type { Scope } from "./scope";

export type ConversationStatus = "open" | "pending" | "resolved" | "snoozed";

export interface ConversationFilters {
  status?: ConversationStatus;
  /** `me`, `unassigned`, or a user id. */
  assignee?: string;
  channelId?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}

export interface ConversationListItem {
  id: string;
  status: ConversationStatus;
  subject: string | null;
  contact: { id: string; name: string | null };
  channel: { id: string; type: ChannelType; name: string };
  last_message: { body: string | null; type: string; direction: "in" | "out"; created_at: string } | null;
  unread_count: number;
  assignee_id: string | null;
  snoozed_until: string | null;
  last_activity_at: string;
}

interface Row extends Record<string, unknown> {
  id: string;
  status: ConversationStatus;
  subject: string | null;
  contact_id: string;
  contact_name: string | null;
  channel_id: string;
  channel_type: ChannelType;
  channel_name: string;
  unread_count: number;
  assignee_id: string | null;
  snoozed_until: Date | null;
  last_activity_at: Date;
  lm_body: string | null;
  lm_type: string | null;
  lm_direction: "in" | "out" | null;
  lm_created_at: Date | null;
  cursor_at?: string;
}

function toItem(r: Row): ConversationListItem {
  return {
    id: r.id,
    status: r.status,
    subject: r.subject,
    contact: { id: r.contact_id, name: r.contact_name },
    channel: { id: r.channel_id, type: r.channel_type, name: r.channel_name },
    last_message: r.lm_created_at ? { body: r.lm_body, type: r.lm_type ?? "text", direction: r.lm_direction!, created_at: new Date(r.lm_created_at).toISOString() } : null,
    unread_count: r.unread_count,
    assignee_id: r.assignee_id,
    snoozed_until: r.snoozed_until ? new Date(r.snoozed_until).toISOString() : null,
    last_activity_at: new Date(r.last_activity_at).toISOString(),
  };
}

/**
 * Newest activity first, ties broken by id. NULLS LAST (the columns are never null) because the
 * indexes are built that way: with plain DESC (NULLS FIRST) the planner cannot read them in order.
 */
const newestFirst = (alias: "c" | "p" | "hits") => sql.raw(`${alias}.last_activity_at desc nulls last, ${alias}.id desc nulls last`);

/**
 * The inbox list, newest activity first (last_activity_at, then id), keyset-paginated on that
 * order. Filters are equality prefixes of the conversations indexes, so a page is read from an index
 * in order and only its rows are joined. `q` (see conversation-search.ts) takes the newest page of
 * conversations whose contact matches and the newest page of those with a matching message, and
 * keeps the newest of both: each half gets the plan that suits it. Results are ordered like the list.
 */
export async function listConversations(db: DbOrTx, tenantId: string, viewerId: string, filters: ConversationFilters) {
  const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
  const cursor = decodeCursor(filters.cursor);
  const where: SQL[] = [sql`c.tenant_id = ${tenantId}`];
  if (filters.status) where.push(sql`c.status = ${filters.status}`);
  if (filters.channelId) where.push(sql`c.channel_id = ${filters.channelId}`);
  if (filters.assignee === "me") where.push(sql`c.assignee_id = ${viewerId}`);
  else if (filters.assignee === "unassigned") where.push(sql`c.assignee_id is null`);
  else if (filters.assignee) where.push(sql`c.assignee_id = ${filters.assignee}`);
  if (cursor) where.push(sql`(c.last_activity_at, c.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
  const filtered = sql.join(where, sql` and `);
  const pageOf = (from: SQL, condition?: SQL) =>
    sql`(select c.id, c.last_activity_at from ${from} where ${condition ? sql`${filtered} and ${condition}` : filtered} order by ${newestFirst("c")} limit ${limit + 1})`;
  const newestOf = (pages: SQL[], union: "union" | "union all") =>
    sql`select id, last_activity_at from (${sql.join(pages, sql.raw(` ${union} `))}) hits order by ${newestFirst("hits")} limit ${limit + 1}`;

  const q = filters.q?.trim();
  let page: SQL;
  if (q) {
    page = newestOf(
      [
        pageOf(sql`conversations c join contacts ct on ct.id = c.contact_id`, sql`ct.tenant_id = ${tenantId} and ${contactMatches(sql`ct`, q)}`),
        pageOf(sql`conversations c`, sql`exists (select 1 from messages m where m.tenant_id = ${tenantId} and m.conversation_id = c.id and m.search_vector @@ ${messageQuery(q)})`),
      ],
      "union",
    );
  } else if (!filters.status && (filters.assignee || filters.channelId)) {
    // One ordered page per status, merged: each is read from an index whose prefix is the filter plus
    // status, where a single walk in activity order would skip thousands of other conversations.
    page = newestOf(CONVERSATION_STATUSES.map((status) => pageOf(sql`conversations c`, sql`c.status = ${status}`)), "union all");
  } else {
    page = pageOf(sql`conversations c`);
  }

  const result = await db.execute<Row>(sql`
    select c.id, c.status, c.subject, c.contact_id, ct.name as contact_name, c.channel_id, ch.type as channel_type, ch.name as channel_name,
           c.unread_count, c.assignee_id, c.snoozed_until, c.last_activity_at,
           lm.body as lm_body, lm.type as lm_type, lm.direction as lm_direction, lm.created_at as lm_created_at,
           ${cursorTimestamp(sql`c.last_activity_at`)} as cursor_at
    from (${page}) p
    join conversations c on c.id = p.id
    join contacts ct on ct.id = c.contact_id
    join channels ch on ch.id = c.channel_id
    left join lateral (
      select m.body, m.type, m.direction, m.created_at from messages m
      where m.conversation_id = c.id and m.tenant_id = c.tenant_id
      order by m.created_at desc, m.id desc limit 1
    ) lm on true
    order by ${newestFirst("p")}
  `);
  const rows = result.rows;
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(toItem), next_cursor: rows.length > limit && last ? encodeCursor(last.cursor_at!, last.id) : null };
}

export async function getConversation(db: DbOrTx, tenantId: string, id: string): Promise<ConversationListItem> {
  const result = await db.execute<Row>(sql`
    select c.id, c.status, c.subject, c.contact_id, ct.name as contact_name, c.channel_id, ch.type as channel_type, ch.name as channel_name,
           c.unread_count, c.assignee_id, c.snoozed_until, c.last_activity_at,
           null as lm_body, null as lm_type, null as lm_direction, null as lm_created_at
    from conversations c join contacts ct on ct.id = c.contact_id join channels ch on ch.id = c.channel_id
    where c.tenant_id = ${tenantId} and c.id = ${id}
  `);
  const row = result.rows[0];
  if (!row) throw new AppError("not_found", "conversation not found");
  return toItem(row);
}

/** Locks and returns the conversation row, scoped to the tenant (404 otherwise). */
export async function lockConversation(tx: DbOrTx, tenantId: string, id: string) {
  const [row] = await tx.select().from(conversations).where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id))).for("update");
  if (!row) throw new AppError("not_found", "conversation not found");
  return row;
}

export interface ConversationUpdate {
  status?: ConversationStatus;
  snoozedUntil?: Date | null;
  /** A user id of the tenant, or null to unassign. */
  assigneeId?: string | null;
}

/** Status, snooze and assignment changes; records `conversation.updated` with the changed fields. */
export async function updateConversation(tx: DbOrTx, scope: Scope, id: string, update: ConversationUpdate): Promise<ConversationListItem> {
  const current = await lockConversation(tx, scope.tenantId, id);
  const patch: Partial<typeof conversations.$inferInsert> = {};
  const changes: string[] = [];

  if (update.status !== undefined) {
    if (update.status === "snoozed") {
      const until = update.snoozedUntil;
      if (!until || until.getTime() <= Date.now()) throw new AppError("validation_error", "snoozed_until must be a time in the future when snoozing", { path: "snoozed_until" });
      patch.snoozedUntil = until;
    } else {
      patch.snoozedUntil = null;
    }
    if (update.status !== current.status || (update.status === "snoozed" && patch.snoozedUntil?.getTime() !== current.snoozedUntil?.getTime())) {
      patch.status = update.status;
      changes.push("status");
    }
  }
  if (update.assigneeId !== undefined && update.assigneeId !== current.assigneeId) {
    if (update.assigneeId !== null) {
      const [member] = await tx
        .select({ id: memberships.userId })
        .from(memberships)
        .where(and(eq(memberships.tenantId, scope.tenantId), eq(memberships.userId, update.assigneeId), sql`${memberships.deactivatedAt} is null`));
      if (!member) throw new AppError("validation_error", "assignee_id is not an active user of this workspace", { path: "assignee_id" });
    }
    patch.assigneeId = update.assigneeId;
    changes.push("assignee_id");
  }

  if (changes.length) {
    const [updated] = await tx.update(conversations).set(patch).where(eq(conversations.id, id)).returning();
    // Each change is its own fact: a millisecond timestamp in the key would merge two quick changes into one event.
    await recordEvent(
      tx,
      {
        tenantId: scope.tenantId,
        type: "conversation.updated",
        sourceEventId: `conversation.updated:${id}:${randomUUID()}`,
        correlationId: scope.correlationId, origin: scope.origin,
        payload: { conversation_id: id, status: updated!.status, assignee_id: updated!.assigneeId, changes },
      },
      scope.effects,
    );
    scope.effects.live.push({ tenantId: scope.tenantId, kind: "conversation.changed", conversationId: id, data: { changes } });
  }
  return getConversation(tx, scope.tenantId, id);
}

export async function markConversationRead(tx: DbOrTx, scope: Scope, id: string): Promise<{ id: string; unread_count: number }> {
  const current = await lockConversation(tx, scope.tenantId, id);
  if (current.unreadCount > 0) {
    await tx.update(conversations).set({ unreadCount: 0 }).where(eq(conversations.id, id));
    scope.effects.live.push({ tenantId: scope.tenantId, kind: "conversation.changed", conversationId: id, data: { changes: ["unread_count"] } });
  }
  return { id, unread_count: 0 };
}

/** Conversations of one contact (the contact panel's "previous conversations"). */
export async function conversationsOfContact(db: DbOrTx, tenantId: string, contactId: string) {
  return db
    .select({ id: conversations.id, status: conversations.status, channel_type: channels.type, last_activity_at: conversations.lastActivityAt, subject: conversations.subject })
    .from(conversations)
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.tenantId, tenantId), eq(conversations.contactId, contactId)))
    .orderBy(sql`${conversations.lastActivityAt} desc`)
    .limit(20)
    .then((rows) => rows.map((r) => ({ ...r, last_activity_at: r.last_activity_at.toISOString() })));
}
